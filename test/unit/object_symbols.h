// test/unit/object_symbols.h — what an in-memory object file defines or references.
#pragma once

#include <gtest/gtest.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/Error.h>

#include <string>

namespace {

enum symbol_presence { symbol_absent, symbol_defined, symbol_undefined };

// Looks `symbol` up in the symbol table of an in-memory object file.
symbol_presence symbol_state(const std::string &object, const char *symbol) {
  auto obj =
      llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(object, "unit-test-object"));
  if (!obj) {
    ADD_FAILURE() << "not an object file: " << llvm::toString(obj.takeError());
    return symbol_absent;
  }
  for (const llvm::object::SymbolRef &sym : (*obj)->symbols()) {
    auto name = sym.getName();
    auto flags = sym.getFlags();
    if (!name || !flags) {
      llvm::consumeError(name.takeError());
      llvm::consumeError(flags.takeError());
      continue;
    }
    if (*name == symbol)
      return (*flags & llvm::object::SymbolRef::SF_Undefined) ? symbol_undefined : symbol_defined;
  }
  return symbol_absent;
}

} // namespace
