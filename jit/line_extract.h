// jit/line_extract.h — PROVISIONAL (replaced by the helper's version at merge).
#pragma once
#include "line_table.h"
namespace plcpp::jit {
line_table extract_body_lines(std::string_view shared_object, std::string_view body_file);
}
