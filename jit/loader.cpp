// jit/loader.cpp — see loader.h.
#include "loader.h"

#include "fd_io.h"
#include "static_init.h"

#include <plcpp/config.hpp>

#include <cxxabi.h>
#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

namespace plcpp::jit {
namespace {

struct module {
  std::string key, function;
  void *library = nullptr;           // from dlopen
  void *dso = nullptr;               // the object's plcpp_dso_handle: its destructors' registry key
  std::uintptr_t base = 0;           // load address (the object is linked at 0)
  std::uintptr_t begin = 0, end = 0; // what its loadable segments span
  line_table lines;
  int fd = -1; // the memfd of code loaded from memory, kept open while it is mapped (see below)
  int loads = 0;
};

// Few modules per backend (one per function version in use): a vector is enough.
std::vector<module *> modules;

struct atexit_entry {
  void (*fn)(void *);
  void *arg;
  void *dso;
};
std::vector<atexit_entry> destructors; // in registration order

// Static constructors are user code: an exception from one fails the load.
bool run_initializer(void (*init)(), std::string &error) {
  try {
    init();
    return true;
  } catch (const std::exception &e) {
    error = std::string("a static initializer threw: ") + e.what();
  } catch (...) {
    error = "a static initializer threw an exception";
  }
  return false;
}

// Destructors registered for `dso`, last registered first; again while running them registers
// more (a destructor that constructs a function-local static), as __cxa_finalize does: none
// may be left to point into code about to be unmapped.
void run_destructors(void *dso) {
  for (;;) {
    std::vector<atexit_entry> mine;
    for (auto it = destructors.begin(); it != destructors.end();) {
      if (it->dso == dso) {
        mine.push_back(*it);
        it = destructors.erase(it);
      } else {
        ++it;
      }
    }
    if (mine.empty()) return;
    for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
      try {
        it->fn(it->arg);
      } catch (...) {
        // A destructor that throws would terminate in C++; here the object is just left.
      }
    }
  }
}

// dlerror()'s "…: undefined symbol: _ZN…" in words, with the C++ name demangled: a body can
// declare and call a function nobody defines, and a cached object compiled against newer
// runtime headers than this plcpp.so (make install without a restart) needs symbols this
// plcpp.so lacks. Either way the load fails here, before any of its code runs.
std::string describe_dlerror(const char *message) {
  std::string m = message ? message : "unknown error";
  static const char marker[] = "undefined symbol: ";
  size_t at = m.find(marker);
  if (at == std::string::npos) return "could not load the shared object: " + m;
  std::string symbol = m.substr(at + sizeof marker - 1);
  if (size_t comma = symbol.find(','); comma != std::string::npos) symbol.resize(comma);
  int status = 0;
  std::unique_ptr<char, void (*)(void *)> demangled(
      abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status), std::free);
  return "the compiled code needs a symbol that this server process does not have: " +
         (status == 0 && demangled ? std::string(demangled.get()) + " (" + symbol + ")" : symbol);
}

// The address range the object `base` was mapped to, from its program headers.
void find_extent(module &m) {
  auto visit = [](struct dl_phdr_info *info, size_t, void *arg) -> int {
    auto *mod = static_cast<module *>(arg);
    if (info->dlpi_addr != mod->base) return 0;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
      const ElfW(Phdr) &ph = info->dlpi_phdr[i];
      if (ph.p_type != PT_LOAD) continue;
      std::uintptr_t from = mod->base + ph.p_vaddr, to = from + ph.p_memsz;
      if (!mod->begin || from < mod->begin) mod->begin = from;
      if (to > mod->end) mod->end = to;
    }
    return 1;
  };
  ::dl_iterate_phdr(visit, &m);
}

// A full or read-only cache: the bytes go to a memfd and are loaded from /proc/self/fd/N. The
// fd stays open while the code is mapped: glibc finds an already loaded object by its name
// first, so a later memfd given the same descriptor number would otherwise be taken for it.
bool open_image(std::string_view image, const std::string &key, int &fd, std::string &path,
                std::string &error) {
  fd = ::memfd_create(("plcpp-" + key).c_str(), MFD_CLOEXEC);
  if (fd < 0) {
    error = std::string("could not create a memory file for the code: ") + strerror(errno);
    return false;
  }
  if (!write_all(fd, image)) {
    error = std::string("could not write the code to a memory file: ") + strerror(errno);
    ::close(fd);
    fd = -1;
    return false;
  }
  path = "/proc/self/fd/" + std::to_string(fd);
  return true;
}

bool load_impl(const std::string &key, const std::string &path_in, std::string_view image,
               std::string_view lines, const std::string &function, loaded_code &out,
               std::string &error) {
  auto t0 = std::chrono::steady_clock::now();
  for (module *m : modules)
    if (m->key == key) {
      ++m->loads;
      out.handle = m;
      out.entry =
          reinterpret_cast<std::uintptr_t>(::dlsym(m->library, plcpp::detail::entry_symbol));
      out.link_ms = 0;
      return true;
    }

  auto m = std::make_unique<module>();
  m->key = key;
  m->function = function;
  if (!lines.empty() && !decode_line_table(lines, m->lines)) m->lines.clear();
  std::string path = path_in;
  if (path.empty() && !open_image(image, key, m->fd, path, error)) return false;
  // The loader's list of objects (link_map) keeps the path as given, and gdb looks a relative
  // one up from its own directory: a backend's cache path is relative to the data directory.
  if (path[0] != '/')
    if (char *cwd = ::getcwd(nullptr, 0)) {
      path = std::string(cwd) + "/" + path;
      ::free(cwd);
    }
  auto fail = [&](std::string message) {
    error = std::move(message);
    if (m->library) ::dlclose(m->library);
    if (m->fd >= 0) ::close(m->fd);
    return false;
  };

  // RTLD_LOCAL: a body's symbols never become visible to other code loaded later.
  m->library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m->library) return fail(describe_dlerror(::dlerror()));
  void *entry = ::dlsym(m->library, plcpp::detail::entry_symbol);
  void *init = ::dlsym(m->library, init_symbol);
  m->dso = ::dlsym(m->library, dso_symbol);
  struct link_map *map = nullptr;
  if (!entry || !init || !m->dso || ::dlinfo(m->library, RTLD_DI_LINKMAP, &map) != 0 || !map)
    return fail("the shared object lacks the symbols plcpp's code generator defines");
  m->base = static_cast<std::uintptr_t>(map->l_addr);
  find_extent(*m);

  modules.push_back(m.get()); // before the constructors: they may throw through body code
  if (!run_initializer(reinterpret_cast<void (*)()>(init), error)) {
    // By value: the constructors may have loaded other code meanwhile (SQL calling another
    // plcpp function), which follows this module in the list.
    modules.erase(std::find(modules.begin(), modules.end(), m.get()));
    run_destructors(m->dso); // of the objects constructed before the one that threw
    return fail(error);
  }
  m->loads += 1; // a load of the same key from its own initializer counted already
  out.handle = m.release();
  out.entry = reinterpret_cast<std::uintptr_t>(entry);
  out.link_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return true;
}

} // namespace

bool load(const std::string &key, const std::string &path, std::string_view image,
          std::string_view lines, const std::string &function, loaded_code &out,
          std::string &error) noexcept {
  try {
    return load_impl(key, path, image, lines, function, out, error);
  } catch (...) { // std::bad_alloc; `error` may not be assignable either
    return false;
  }
}

void unload(void *handle) noexcept {
  auto *m = static_cast<module *>(handle);
  if (!m || --m->loads > 0) return;
  for (auto it = modules.begin(); it != modules.end(); ++it)
    if (*it == m) {
      modules.erase(it);
      break;
    }
  run_destructors(m->dso);
  ::dlclose(m->library);
  if (m->fd >= 0) ::close(m->fd);
  delete m;
}

bool code_loaded(const void *handle) noexcept {
  for (const module *m : modules)
    if (m == handle) return true;
  return false;
}

void *code_containing(std::uintptr_t pc) noexcept {
  for (module *m : modules)
    if (pc > m->begin && pc <= m->end) return m;
  return nullptr;
}

unsigned body_line_of_return_address(void *handle, std::uintptr_t pc) noexcept {
  auto *m = static_cast<const module *>(handle);
  if (!m || !(pc > m->begin && pc <= m->end)) return 0;
  return body_line_at(m->lines, pc - 1 - m->base);
}

} // namespace plcpp::jit

// Called by compiled code (jit/static_init.h) in place of __cxa_atexit: destructors of a
// body's static objects run when its code is unloaded.
extern "C" PLCPP_API int plcpp_jit_atexit(void (*fn)(void *), void *arg, void *dso) {
  try {
    plcpp::jit::destructors.push_back({fn, arg, dso});
    return 0;
  } catch (...) {
    return -1; // as __cxa_atexit: the destructor will not run
  }
}
