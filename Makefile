# plcpp — PGXS build. Two shared libraries:
#   plcpp.so           handler, runtime API, ORC engine (links libLLVM-14, like the server's JIT)
#   plcpp_compiler.so  in-process Clang and LLVM code generation (links libclang-cpp), loaded
#                      only on an object cache miss (or once in the postmaster when preloaded)
PG_CONFIG ?= pg_config
LLVM_CONFIG ?= /usr/lib/llvm-14/bin/llvm-config
LLVM_LIBDIR := $(shell $(LLVM_CONFIG) --libdir)
LLVM_INCLUDEDIR := $(shell $(LLVM_CONFIG) --includedir)

MODULE_big = plcpp
EXTENSION = plcpp
DATA = plcpp--1.0.sql plcpp--1.0--1.1.sql
PGFILEDESC = "plcpp - PL/C++ procedural language"

HANDLER_OBJS = handler/handler.o handler/tiering.o handler/optimizer_worker.o handler/guc.o handler/function_table.o handler/call.o \
	handler/guard.o handler/compile.o handler/build.o handler/llvm_guard.o handler/srf.o \
	handler/cache_admin.o handler/memo_admin.o handler/result_cache_call.o \
	handler/result_cache_admin.o
RUNTIME_OBJS = runtime/pg_call.o runtime/errors.o runtime/log.o runtime/types.o \
	runtime/array.o runtime/numeric.o runtime/record.o runtime/call_state.o runtime/spi.o \
	runtime/self.o runtime/srf.o runtime/trigger.o runtime/interrupts.o runtime/memoize.o \
	runtime/memo_name.o runtime/memo_sql.o runtime/change_tracking.o runtime/result_cache.o
JIT_OBJS = jit/lexer.o jit/attributes.o jit/source.o jit/core_unit.o jit/engine.o jit/target.o jit/object_cache.o jit/optimize_queue.o
OBJS = $(HANDLER_OBJS) $(RUNTIME_OBJS) $(JIT_OBJS)
COMPILER_OBJS = jit/compiler.o jit/codegen.o jit/interrupt_pass.o jit/static_init.o jit/target.o

REGRESS = scalar_types logging errors compile_errors volatility do_blocks replace \
	spi plan_invalidation subtransactions srf composite introspection triggers types arrays \
	interrupts core_units compile_cache memoize result_cache \
	recursion unwinding out_of_memory
REGRESS_OPTS = --load-extension=plcpp

# PGXS would otherwise emit LLVM bitcode for every object (for the server's inliner).
override with_llvm = no

PG_CPPFLAGS = -Iruntime/include -isystem $(LLVM_INCLUDEDIR) -D__STDC_CONSTANT_MACROS \
	-D__STDC_LIMIT_MACROS
PG_CXXFLAGS = -std=c++20 -fPIC -Werror -Wno-missing-field-initializers -Wno-unused-parameter -Wno-register
LLVM_LINK = -L$(LLVM_LIBDIR) -lLLVM-14 -Wl,-rpath,$(LLVM_LIBDIR)
SHLIB_LINK = $(LLVM_LINK) -lstdc++

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Link C++ through the C++ driver.
override COMPILER = $(CXX) $(CXXFLAGS)

all: plcpp_compiler.so

plcpp_compiler.so: $(COMPILER_OBJS)
	$(CXX) $(CXXFLAGS) -shared -Wl,--build-id=sha1 -o $@ $^ -L$(LLVM_LIBDIR) -lclang-cpp $(LLVM_LINK)

RUNTIME_HEADERS = $(wildcard runtime/include/plcpp/*.hpp)

install: install-plcpp
install-plcpp: plcpp_compiler.so
	$(INSTALL_SHLIB) plcpp_compiler.so '$(DESTDIR)$(pkglibdir)/plcpp_compiler.so'
	$(MKDIR_P) '$(DESTDIR)$(datadir)/plcpp/include/plcpp'
	$(INSTALL_DATA) $(RUNTIME_HEADERS) '$(DESTDIR)$(datadir)/plcpp/include/plcpp/'

uninstall: uninstall-plcpp
uninstall-plcpp:
	rm -f '$(DESTDIR)$(pkglibdir)/plcpp_compiler.so'
	rm -rf '$(DESTDIR)$(datadir)/plcpp'

clean: clean-plcpp
clean-plcpp:
	rm -f plcpp_compiler.so $(COMPILER_OBJS)
	$(MAKE) -C test/unit clean

# Every object depends on the runtime headers (they are the ABI with compiled bodies).
$(OBJS) $(COMPILER_OBJS): $(RUNTIME_HEADERS) $(wildcard handler/*.h jit/*.h runtime/*.h)

.PHONY: unit-test format compile_commands.json
compile_commands.json:
	$(MAKE) clean && bear -- $(MAKE)

unit-test: all
	$(MAKE) -C test/unit run

format:
	clang-format -i handler/*.cpp handler/*.h jit/*.cpp jit/*.h runtime/*.cpp runtime/*.h \
		runtime/include/plcpp/*.hpp test/unit/*.cpp
