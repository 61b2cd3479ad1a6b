// test/unit/object_symbols.h — what an in-memory object file (relocatable or shared)
// defines or references.
#pragma once

#include <gtest/gtest.h>
#include <llvm/Object/ELFObjectFile.h>
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

// Whether some defined symbol's name (mangled) contains `part`.
[[maybe_unused]] bool defines_symbol_containing(const std::string &object,
                                                const std::string &part) {
  auto obj =
      llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(object, "unit-test-object"));
  if (!obj) {
    ADD_FAILURE() << "not an object file: " << llvm::toString(obj.takeError());
    return false;
  }
  for (const llvm::object::SymbolRef &sym : (*obj)->symbols()) {
    auto name = sym.getName();
    auto flags = sym.getFlags();
    if (!name || !flags) {
      llvm::consumeError(name.takeError());
      llvm::consumeError(flags.takeError());
      continue;
    }
    if (!(*flags & llvm::object::SymbolRef::SF_Undefined) && name->contains(part)) return true;
  }
  return false;
}

// Whether a shared object's dynamic symbol table defines `symbol` (what dlsym() finds).
[[maybe_unused]] bool exports_symbol(const std::string &shared_object, const char *symbol) {
  auto obj = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(shared_object, "unit-test-shared-object"));
  if (!obj) {
    ADD_FAILURE() << "not an object file: " << llvm::toString(obj.takeError());
    return false;
  }
  auto *elf = llvm::dyn_cast<llvm::object::ELFObjectFileBase>(obj->get());
  if (!elf) {
    ADD_FAILURE() << "not an ELF file";
    return false;
  }
  for (const llvm::object::ELFSymbolRef &sym : elf->getDynamicSymbolIterators()) {
    auto name = sym.getName();
    auto flags = sym.getFlags();
    if (!name || !flags) {
      llvm::consumeError(name.takeError());
      llvm::consumeError(flags.takeError());
      continue;
    }
    if (*name == symbol) return !(*flags & llvm::object::SymbolRef::SF_Undefined);
  }
  return false;
}

} // namespace
