-- Out of memory (issue 18, item 3): when a body's std::bad_alloc reaches the handler, memory
-- may really be gone; the handler's catch block must not allocate (an allocation there throws
-- again, out of a noexcept function: std::terminate, the session ends). This body lowers its
-- backend's RLIMIT_AS to what it uses plus 64 MB, takes all of that with malloc, and throws a
-- std::bad_alloc that owns every block: memory stays exhausted until the handler's catch
-- block has finished with the exception, then the blocks and the limit are given back.
\set VERBOSITY default

CREATE FUNCTION exhaust_memory() RETURNS int LANGUAGE plcpp AS $$
#include <sys/resource.h>
  struct exhausted : std::bad_alloc {
    void *blocks;  // a list through the blocks' first bytes: no allocation to keep it
    rlimit limit;  // as it was
    exhausted(void *b, rlimit l) : blocks(b), limit(l) {}
    exhausted(const exhausted &o) : std::bad_alloc(o), blocks(o.blocks), limit(o.limit) {
      const_cast<exhausted &>(o).blocks = nullptr; // one owner
    }
    ~exhausted() override {
      bool had = blocks != nullptr;
      while (blocks) {
        void *next = *static_cast<void **>(blocks);
        std::free(blocks);
        blocks = next;
      }
      if (had) setrlimit(RLIMIT_AS, &limit);
    }
  };
  rlimit old;
  getrlimit(RLIMIT_AS, &old);
  long pages = 0;
  if (FILE *f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  if (pages == 0) error("cannot read /proc/self/statm");
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(pages) * 4096 + (64 << 20);
  if (setrlimit(RLIMIT_AS, &low) != 0) error("cannot lower RLIMIT_AS");
  void *head = nullptr;
  for (std::size_t size = 1 << 20; size >= sizeof(void *);) {
    void *p = std::malloc(size);
    if (!p) {
      size /= 2;
      continue;
    }
    *static_cast<void **>(p) = head;
    head = p;
  }
  throw exhausted(head, old);
$$;
SELECT exhaust_memory();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'session alive' AS after_exhaustion;
-- and again: the limit was given back, nothing leaked that would make it fail otherwise
SELECT exhaust_memory();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS still_working FROM generate_series(1, 1000);

-- an ordinary bad_alloc (an impossible size) says the same
CREATE FUNCTION huge_vector() RETURNS int LANGUAGE plcpp AS $$
  std::vector<char> v(std::size_t(1) << 60);
  return v.size() > 0;
$$;
SELECT huge_vector();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
