// jit/compile_wire.cpp — see compile_wire.h. Fields in a fixed order, integers in host byte
// order (the bytes never leave the machine, or the process pair), strings length-prefixed,
// and a trailing magic so that a result cut short is never taken for a whole one.
#include "compile_wire.h"

#include <cstdint>
#include <cstring>

namespace plcpp::jit::wire {
namespace {

constexpr std::uint32_t head_magic = 0x706c6331; // "plc1"
constexpr std::uint32_t tail_magic = 0x656e6421; // "end!"

template <class T> void put(std::string &out, T value) {
  out.append(reinterpret_cast<const char *>(&value), sizeof value);
}
void put_string(std::string &out, std::string_view s) {
  put<std::uint64_t>(out, s.size());
  out.append(s);
}

struct reader {
  std::string_view in;
  bool ok = true;
  template <class T> T get() {
    T value{};
    if (in.size() < sizeof value) {
      ok = false;
      return value;
    }
    memcpy(&value, in.data(), sizeof value);
    in.remove_prefix(sizeof value);
    return value;
  }
  std::string get_string() {
    auto n = get<std::uint64_t>();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};

} // namespace

std::string encode(const compile_result &r) {
  std::string out;
  out.reserve(r.shared_object.size() + r.line_table.size() + 256);
  put(out, head_magic);
  put<std::uint8_t>(out, r.ok);
  put_string(out, r.shared_object);
  put_string(out, r.line_table);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(r.diagnostics.size()));
  for (const auto &d : r.diagnostics) {
    put<std::uint8_t>(out, static_cast<std::uint8_t>(d.level));
    put<std::uint8_t>(out, d.in_body);
    put<std::uint32_t>(out, d.line);
    put<std::uint32_t>(out, d.column);
    put_string(out, d.message);
  }
  put(out, r.frontend_ms);
  put(out, r.pch_build_ms);
  put(out, r.optimize_ms);
  put(out, r.emit_ms);
  put(out, r.link_ms);
  put<std::uint32_t>(out, r.interrupt_checks);
  put_string(out, r.pch_problem);
  put(out, tail_magic);
  return out;
}

bool decode(std::string_view bytes, compile_result &r) {
  reader in{bytes};
  if (in.get<std::uint32_t>() != head_magic) return false;
  r.ok = in.get<std::uint8_t>() != 0;
  r.shared_object = in.get_string();
  r.line_table = in.get_string();
  auto n = in.get<std::uint32_t>();
  r.diagnostics.clear();
  for (std::uint32_t i = 0; in.ok && i < n; ++i) {
    diagnostic d;
    auto level = in.get<std::uint8_t>();
    if (level > static_cast<std::uint8_t>(diagnostic::severity::error)) return false;
    d.level = static_cast<diagnostic::severity>(level);
    d.in_body = in.get<std::uint8_t>() != 0;
    d.line = in.get<std::uint32_t>();
    d.column = in.get<std::uint32_t>();
    d.message = in.get_string();
    r.diagnostics.push_back(std::move(d));
  }
  r.frontend_ms = in.get<double>();
  r.pch_build_ms = in.get<double>();
  r.optimize_ms = in.get<double>();
  r.emit_ms = in.get<double>();
  r.link_ms = in.get<double>();
  r.interrupt_checks = in.get<std::uint32_t>();
  r.pch_problem = in.get_string();
  return in.ok && in.get<std::uint32_t>() == tail_magic && in.ok && in.in.empty();
}

} // namespace plcpp::jit::wire
