"""Machine and version facts for the report header: what the numbers were measured on."""
import os
import platform
import subprocess
import time

from pg import psql


def _first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout \
            .splitlines()[0].strip()
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def _proc(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def os_release():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


def load_average():
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def plcpp_commit(repo):
    """HEAD of the work tree, and whether plcpp's own sources (not bench/) differ from it."""
    git = ["git", "-C", repo, "-c", f"safe.directory={repo}"]
    head = _first_line(git + ["log", "-1", "--format=%h %cs %s"])
    dirty = _first_line(git + ["status", "--porcelain", "--", ".", ":(exclude)bench"])
    return head + (" (+ uncommitted changes)" if dirty != "unknown" else "")


def collect(repo, server):
    meminfo_kb = _proc("/proc/meminfo", "MemTotal").split()[0]
    lib = os.path.join(_first_line(["pg_config", "--pkglibdir"]), "plcpp.so")
    try:
        installed = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(lib)))
    except OSError:
        installed = "unknown"
    return {
        "CPU": f"{_proc('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores",
        "RAM": f"{int(meminfo_kb) / 1024 / 1024:.1f} GiB" if meminfo_kb.isdigit() else "unknown",
        "OS / kernel": f"{os_release()} / {platform.system()} {platform.release()}",
        "PostgreSQL": psql(server, "SELECT version()").strip(),
        "Clang / LLVM": f"{_first_line(['clang-14', '--version'])} / LLVM "
                        f"{_first_line(['llvm-config-14', '--version'])}",
        "plcpp": f"{plcpp_commit(repo)}; installed plcpp.so of {installed}",
    }
