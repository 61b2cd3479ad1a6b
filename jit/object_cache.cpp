// jit/object_cache.cpp — see object_cache.h. No PostgreSQL headers here, and no LLVM code:
// the two LLVM headers below only define version macros.
#include "object_cache.h"

#include "fd_io.h"
#include "flags.h"
#include "host.h"
#include "sha256.h"

#include <plcpp/config.hpp>

#include <clang/Basic/Version.inc>
#include <llvm/Config/llvm-config.h>

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <ctime>
#include <map>

namespace plcpp::jit::cache {
namespace {

constexpr char magic[8] = {'P', 'L', 'C', 'P', 'P', 'S', 'O', '3'};
// 2: opt_level; 3: a shared object followed by its description (issue 20)
constexpr std::uint32_t format_version = 3;

// At the end of the file: <shared object> <info> <line table> <trailer>.
struct file_trailer {
  std::uint64_t object_size;
  std::uint32_t info_size;
  std::uint32_t lines_size;
  std::uint64_t checksum; // checksum64 (sha256.h) of everything before the trailer
  std::uint32_t format;
  std::uint32_t reserved;
  char magic[8];
};
static_assert(sizeof(file_trailer) == 40);

std::string objects_dir(const std::string &dir) {
  return dir + "/objects";
}
std::string object_path(const std::string &dir, const std::string &key) {
  return objects_dir(dir) + "/" + key + ".so";
}
std::string hits_path(const std::string &dir, const std::string &key) {
  return objects_dir(dir) + "/" + key + ".hits";
}

bool valid_key(std::string_view key) {
  if (key.size() != 32) return false;
  for (char c : key)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// entry_info as NUL-separated fields (no field contains a NUL: they are names, numbers and
// compiler messages).
std::string encode(const entry_info &info) {
  std::string s;
  auto field = [&](const std::string &v) {
    s += v;
    s += '\0';
  };
  field(info.key);
  field(info.function);
  field(std::to_string(info.compile_ms));
  field(std::to_string(info.compiled_at));
  field(std::to_string(info.warnings.size()));
  for (const auto &w : info.warnings) {
    field(std::to_string(w.line));
    field(std::to_string(w.column));
    field(w.in_body ? "1" : "0");
    field(w.message);
  }
  field(std::to_string(info.opt_level));
  return s;
}

bool decode(std::string_view s, entry_info &info) {
  std::vector<std::string> f;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find('\0', pos);
    if (end == std::string_view::npos) return false;
    f.emplace_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  if (f.size() < 5) return false;
  try {
    info.key = f[0];
    info.function = f[1];
    info.compile_ms = std::stod(f[2]);
    info.compiled_at = std::stoll(f[3]);
    size_t n = std::stoul(f[4]);
    if (f.size() != 6 + 4 * n) return false;
    info.opt_level = std::stoi(f.back());
    for (size_t i = 0; i < n; ++i) {
      diagnostic d;
      d.level = diagnostic::severity::warning;
      d.line = static_cast<unsigned>(std::stoul(f[5 + 4 * i]));
      d.column = static_cast<unsigned>(std::stoul(f[6 + 4 * i]));
      d.in_body = f[7 + 4 * i] == "1";
      d.message = f[8 + 4 * i];
      info.warnings.push_back(std::move(d));
    }
  } catch (...) {
    return false;
  }
  return true;
}

std::uint64_t checksum(std::string_view object, std::string_view info, std::string_view lines) {
  return checksum64(lines, checksum64(info, checksum64(object)));
}

// A file of an earlier format: <key>.o.
bool legacy_name(const std::string &name) {
  return name.size() == 34 && name.compare(32, 2, ".o") == 0 && valid_key(name.substr(0, 32));
}

bool current_name(const std::string &name) {
  return name.size() == 35 && name.compare(32, 3, ".so") == 0 && valid_key(name.substr(0, 32));
}

// Parses a file's bytes; on failure says why.
bool parse(std::string_view bytes, const std::string &key, entry_info &info,
           std::string_view &object, std::string &problem) {
  file_trailer t;
  if (bytes.size() < sizeof t) {
    problem = "truncated (no trailer)";
    return false;
  }
  memcpy(&t, bytes.data() + bytes.size() - sizeof t, sizeof t);
  if (memcmp(t.magic, magic, sizeof magic) != 0 || t.format != format_version) {
    problem = "not a plcpp shared object of this version";
    return false;
  }
  // Subtracted, not added: sizes whose sum wraps around 2^64 must not pass for the file's.
  if (t.object_size > bytes.size() ||
      bytes.size() - t.object_size != std::uint64_t{t.info_size} + t.lines_size + sizeof t) {
    problem = "size does not match its trailer (truncated?)";
    return false;
  }
  object = std::string_view(bytes.data(), t.object_size);
  std::string_view info_bytes(bytes.data() + t.object_size, t.info_size);
  std::string_view lines(bytes.data() + t.object_size + t.info_size, t.lines_size);
  if (checksum(object, info_bytes, lines) != t.checksum) {
    problem = "checksum mismatch";
    return false;
  }
  if (!decode(info_bytes, info) || (!key.empty() && info.key != key)) {
    problem = "its description does not match its name";
    return false;
  }
  info.line_table.assign(lines);
  return true;
}

std::int64_t mtime(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_mtime) : 0;
}

// Objects of an earlier format (<key>.o) and their hit counts, once per process and
// directory: keys of this format never name them, so nothing would remove them otherwise.
void remove_legacy_files(const std::string &dir) {
  static std::string done;
  if (done == dir) return;
  done = dir;
  std::string objects = objects_dir(dir);
  DIR *d = opendir(objects.c_str());
  if (!d) return;
  std::vector<std::string> doomed;
  while (struct dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (!legacy_name(name)) continue;
    doomed.push_back(objects + "/" + name);
    doomed.push_back(hits_path(dir, name.substr(0, 32)));
  }
  closedir(d);
  for (const auto &p : doomed)
    ::unlink(p.c_str());
}

// What the runtime headers' files look like from outside (readdir and stat, no reading).
std::string headers_signature(const std::string &include_dir) {
  std::string dir = include_dir + "/plcpp", sig;
  std::vector<std::string> names;
  if (DIR *d = opendir(dir.c_str())) {
    while (struct dirent *e = readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  for (const auto &n : names) {
    struct stat st;
    if (::stat((dir + "/" + n).c_str(), &st) != 0) continue;
    sig += n + ' ' + std::to_string(st.st_size) + ' ' + std::to_string(st.st_mtim.tv_sec) + '.' +
           std::to_string(st.st_mtim.tv_nsec) + ' ' + std::to_string(st.st_ino) + '\n';
  }
  return sig;
}

} // namespace

// The GNU build ID in an ELF note segment, as hex; empty if it holds none.
std::string build_id_in_notes(std::string_view notes) {
  for (size_t at = 0; at + sizeof(Elf64_Nhdr) <= notes.size();) {
    Elf64_Nhdr n;
    memcpy(&n, notes.data() + at, sizeof n);
    size_t name_at = at + sizeof n, desc_at = name_at + ((n.n_namesz + 3) & ~3u);
    size_t next = desc_at + ((n.n_descsz + 3) & ~3u);
    if (next > notes.size()) break;
    if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 &&
        notes.substr(name_at, 4) == std::string_view("GNU", 4))
      return to_hex(reinterpret_cast<const std::uint8_t *>(notes.data() + desc_at), n.n_descsz);
    at = next;
  }
  return {};
}

// The GNU build ID of an ELF shared library (the linker's hash of its content), read from its
// program headers: a few hundred bytes instead of the whole 15 MB file, which every new
// backend would otherwise read and hash on its first call. Empty if the file has none.
std::string build_id(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  auto read_at = [fd](void *into, size_t size, off_t offset) {
    return ::pread(fd, into, size, offset) == static_cast<ssize_t>(size);
  };
  std::string id;
  Elf64_Ehdr eh;
  std::vector<Elf64_Phdr> ph;
  if (read_at(&eh, sizeof eh, 0) && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
      eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr) &&
      eh.e_phnum < 64) {
    ph.resize(eh.e_phnum);
    if (!read_at(ph.data(), ph.size() * sizeof(Elf64_Phdr), static_cast<off_t>(eh.e_phoff)))
      ph.clear();
  }
  for (const auto &p : ph) {
    if (p.p_type != PT_NOTE || p.p_filesz > 4096) continue;
    std::string notes(p.p_filesz, '\0');
    if (read_at(notes.data(), notes.size(), static_cast<off_t>(p.p_offset)))
      id = build_id_in_notes(notes);
    if (!id.empty()) break;
  }
  ::close(fd);
  return id;
}

std::string environment(const std::string &include_dir, const std::string &compiler_library,
                        int opt_level, bool interrupt_checks, int server_version_num) {
  std::string env = "clang " CLANG_VERSION_STRING "\nllvm " LLVM_VERSION_STRING;
  for (const auto &flag : common_flags())
    env += "\n" + flag;
  env += "\n-O" + std::to_string(opt_level);
  env += "\ncodegen " + std::to_string(codegen_version);
  env += interrupt_checks ? "\ninterrupt checks" : "\nno interrupt checks";
  env += "\nruntime abi " + std::to_string(PLCPP_RUNTIME_ABI);
  // A backend's first call computes the environment of each option set it uses (-O2, and
  // -O0 for tiered compilation): the CPU is asked once per process, and the headers are
  // hashed again only when one of them changed (name, size, time or inode; a stat each).
  static const std::string host = host_description();
  static std::map<std::string, std::pair<std::string, std::string>> headers; // dir: stat, hash
  auto &[seen, headers_hash] = headers[include_dir];
  std::string now = headers_signature(include_dir);
  if (headers_hash.empty() || seen != now) {
    headers_hash = runtime_headers_hash(include_dir);
    seen = now;
  }
  std::string library_id, id = build_id(compiler_library), library;
  if (!id.empty())
    library_id = "build-id " + id;
  else
    library_id =
        read_file(compiler_library, library) ? std::to_string(fnv1a64(library)) : "missing";
  env += "\nruntime headers " + headers_hash;
  env += "\ncompiler library " + library_id;
  env += "\nformat shared object " + std::to_string(format_version);
  env += "\ntarget " + host;
  env += "\npostgres " + std::to_string(server_version_num / 10000);
  return env;
}

std::string make_key(std::string_view source, const std::string &environment) {
  sha256 sha;
  sha.update(environment);
  sha.update("\n--\n");
  sha.update(source);
  auto digest = sha.final();
  return to_hex(digest.data(), 16);
}

lookup_result find(const std::string &dir, const std::string &key, bool with_object) noexcept {
  lookup_result r;
  try {
    std::string path = object_path(dir, key);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return r; // miss (absent or unreadable)
    struct stat st {};
    bool stated = fstat(fd, &st) == 0;
    void *map = MAP_FAILED;
    if (stated && st.st_size > 0)
      map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    // Could not be looked at (no memory for the mapping, an address-space limit): a miss,
    // not damage; an empty file is damage.
    if (!stated || (st.st_size > 0 && map == MAP_FAILED)) return r;
    std::string_view bytes;
    if (map != MAP_FAILED) bytes = std::string_view(static_cast<const char *>(map), st.st_size);
    std::string_view object;
    bool ok = parse(bytes, key, r.info, object, r.problem);
    if (ok && with_object) r.object.assign(object);
    if (map != MAP_FAILED) ::munmap(map, static_cast<size_t>(st.st_size));
    if (!ok) {
      r.status = lookup_status::damaged;
      ::unlink(path.c_str());
      ::unlink(hits_path(dir, key).c_str()); // the next store starts afresh
      return r;
    }
    r.path = std::move(path);
    r.status = lookup_status::hit;
  } catch (...) {
    r = lookup_result{}; // out of memory: behave as a miss
  }
  return r;
}

bool store(const std::string &dir, std::string_view object, const entry_info &info,
           std::string &error) noexcept {
  try {
    std::string objects = objects_dir(dir);
    for (const std::string &d : {dir, objects})
      if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) {
        error = "could not create directory \"" + d + "\": " + strerror(errno);
        return false;
      }
    remove_legacy_files(dir);
    std::string info_bytes = encode(info);
    file_trailer t{};
    t.object_size = object.size();
    t.info_size = static_cast<std::uint32_t>(info_bytes.size());
    t.lines_size = static_cast<std::uint32_t>(info.line_table.size());
    t.checksum = checksum(object, info_bytes, info.line_table);
    t.format = format_version;
    memcpy(t.magic, magic, sizeof magic);

    std::string path = object_path(dir, info.key);
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      error = "could not create file \"" + tmp + "\": " + strerror(errno);
      return false;
    }
    bool ok = write_all(fd, object) && write_all(fd, info_bytes) &&
              write_all(fd, info.line_table) &&
              write_all(fd, std::string_view(reinterpret_cast<const char *>(&t), sizeof t));
    int saved = errno;
    ok = (::close(fd) == 0) && ok;
    // rename() replaces the name only: a backend that has the previous file mapped keeps it.
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
      saved = errno;
      ok = false;
    }
    if (!ok) {
      ::unlink(tmp.c_str());
      error = "could not write file \"" + path + "\": " + strerror(saved);
      return false;
    }
    return true;
  } catch (...) {
    error = "out of memory";
    return false;
  }
}

std::string path_of(const std::string &dir, const std::string &key) {
  return object_path(dir, key);
}

bool exists(const std::string &dir, const std::string &key) noexcept {
  try {
    struct stat st;
    return valid_key(key) && ::stat(object_path(dir, key).c_str(), &st) == 0;
  } catch (...) {
    return false;
  }
}

void remove(const std::string &dir, const std::string &key) noexcept {
  try {
    if (!valid_key(key)) return;
    ::unlink(object_path(dir, key).c_str());
    ::unlink(hits_path(dir, key).c_str());
  } catch (...) {
  }
}

void count_hit(const std::string &dir, const std::string &key) noexcept {
  try {
    int fd = ::open(hits_path(dir, key).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return; // statistics only
    (void)write_all(fd, "+");
    ::close(fd);
  } catch (...) {
  }
}

std::vector<listing> list(const std::string &dir) noexcept {
  std::vector<listing> out;
  try {
    DIR *d = opendir(objects_dir(dir).c_str());
    if (!d) return out;
    while (struct dirent *e = readdir(d)) {
      std::string name = e->d_name;
      if (!current_name(name)) continue;
      std::string key = name.substr(0, 32);
      std::string bytes;
      if (!read_file(object_path(dir, key), bytes)) continue;
      listing l;
      std::string_view object;
      std::string problem;
      if (!parse(bytes, key, l.info, object, problem)) continue;
      l.size = bytes.size();
      struct stat st;
      std::string hits = hits_path(dir, key);
      if (stat(hits.c_str(), &st) == 0) {
        l.hits = st.st_size;
        l.last_used = st.st_mtime;
      } else {
        l.last_used = mtime(object_path(dir, key));
      }
      out.push_back(std::move(l));
    }
    closedir(d);
  } catch (...) {
  }
  return out;
}

int purge(const std::string &dir, std::int64_t cutoff) noexcept {
  int removed = 0;
  try {
    std::string objects = objects_dir(dir);
    DIR *d = opendir(objects.c_str());
    if (!d) return 0;
    std::int64_t now = std::time(nullptr);
    std::vector<std::string> doomed;
    while (struct dirent *e = readdir(d)) {
      std::string name = e->d_name;
      std::string path = objects + "/" + name;
      if (name.find(".tmp.") != std::string::npos) {
        // A crashed writer's leftover; a live writer renames within seconds.
        if (mtime(path) < now - 600) doomed.push_back(path);
        continue;
      }
      if (legacy_name(name)) { // an earlier format's object, never read again
        doomed.push_back(path);
        doomed.push_back(hits_path(dir, name.substr(0, 32)));
        continue;
      }
      if (!current_name(name)) continue;
      std::string key = name.substr(0, 32);
      std::int64_t used = mtime(hits_path(dir, key));
      if (used == 0) used = mtime(path);
      if (cutoff >= 0 && used >= cutoff) continue;
      doomed.push_back(hits_path(dir, key));
      if (::unlink(path.c_str()) == 0) ++removed;
    }
    closedir(d);
    for (const auto &p : doomed)
      ::unlink(p.c_str());
  } catch (...) {
  }
  return removed;
}

} // namespace plcpp::jit::cache
