// SPDX-License-Identifier: GPL-2.0-or-later
// tracedesk-helper: runs the system bpftrace on behalf of TraceDesk under pkexec or sudo -n.
//
// Why it exists: a bpftrace started as root ignores the signals of the unprivileged app, so the
// app could not stop it (and lose its maps). The helper is started elevated instead, starts
// bpftrace as its child and takes stop requests as lines on its stdin, which the app owns:
//   INT  -> SIGINT to bpftrace (it prints its maps and exits)
//   TERM -> SIGTERM
//   KILL -> SIGKILL
//   EOF  -> the app died (pkexec's setuid exec cleared PR_SET_PDEATHSIG): SIGTERM, then SIGKILL
// It exits with bpftrace's status (128 + N when bpftrace died of signal N).
//
// It runs as root for whoever may start it (a sudoers rule may let any process of a user do so
// without a password), so it trusts nothing it is given: it only executes the configured system
// bpftrace by absolute path (no PATH search, no shell), accepts only the bpftrace options TraceDesk
// passes (never -c, -o, -I or anything else that runs or writes as root), works in /, and gives
// bpftrace a fixed environment. Deliberately plain POSIX, no Qt: small, nothing to load before
// the checks.
//
// Usage: tracedesk-helper run|run-unsafe /usr/bin/bpftrace [bpftrace options...]
//
// The first argument is what polkit matches (org.freedesktop.policykit.exec.argv1) to choose the
// action, so it decides what the person is asked:
//   run         org.tracedesk.TraceDesk.run-bpftrace: safe programs (auth_admin_keep). Also every
//               compile-only check (`[-d ast] --emit-elf /dev/null [--unsafe] -e PROG` attaches and
//               runs nothing, so --unsafe is allowed there).
//   run-unsafe  org.tracedesk.TraceDesk.run-unsafe: a real run with --unsafe (system(), signal(),
//               override()). auth_admin, never kept: polkit asks the administrator for every such
//               run, so no other process of the user can start one with TraceDesk's approval.
//               Refused under sudo, where nothing asks anyone.
// A positional argument is a probe pattern for -l/-lv (it must look like one: type:...) or a
// program file given by absolute path, owned by the invoking user, opened here without following
// symlinks and passed to bpftrace as /dev/fd/N, so it cannot be swapped for another file.

#include "preprocessorcheck.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TRACEDESK_SYSTEM_BPFTRACE
#define TRACEDESK_SYSTEM_BPFTRACE "/usr/bin/bpftrace:/usr/sbin/bpftrace:/usr/local/bin/bpftrace"
#endif

namespace {
constexpr int ExitUsage = 64; // EX_USAGE
constexpr int ExitCannotRun = 126;
constexpr int TermGraceSeconds = 5;
constexpr off_t MaxProgramFileBytes = 1 << 20; // far above any bpftrace program

int s_signalPipe[2] = { -1, -1 };

void onSignal(int signal)
{
    const int saved = errno;
    const unsigned char byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] const ssize_t written = ::write(s_signalPipe[1], &byte, 1);
    errno = saved;
}

[[noreturn]] void fail(int code, const std::string &message)
{
    std::fprintf(stderr, "tracedesk-helper: %s\n", message.c_str());
    std::exit(code);
}

bool underSudo()
{
    // sudo sets these itself, whatever its environment policy.
    return std::getenv("SUDO_UID") || std::getenv("SUDO_USER") || std::getenv("SUDO_COMMAND");
}

bool setuidStarted()
{
    return ::getuid() != ::geteuid() || ::getgid() != ::getegid();
}

// Started through pkexec or sudo: the caller is someone else and nothing from the environment
// may widen what we run.
bool elevated()
{
    return std::getenv("PKEXEC_UID") || underSudo() || setuidStarted();
}

// Started by pkexec, which clears the environment and sets PKEXEC_UID: polkit chose our action by
// the first argument, so for `run-unsafe` it asked the administrator just now. Never trusted
// when sudo (which may keep variables) or a setuid bit started us.
bool startedByPkexec()
{
    return std::getenv("PKEXEC_UID") && !underSudo() && !setuidStarted();
}

uid_t invokingUid()
{
    if (setuidStarted())
        return ::getuid(); // the environment is the caller's own: believe nothing in it
    for (const char *name : { "PKEXEC_UID", "SUDO_UID" }) {
        if (const char *value = std::getenv(name)) {
            char *end = nullptr;
            const unsigned long uid = std::strtoul(value, &end, 10);
            if (end && *end == '\0' && end != value)
                return static_cast<uid_t>(uid);
        }
    }
    return ::getuid();
}

std::vector<std::string> split(std::string_view list)
{
    std::vector<std::string> out;
    while (!list.empty()) {
        const size_t colon = list.find(':');
        out.emplace_back(list.substr(0, colon));
        if (colon == std::string_view::npos)
            break;
        list.remove_prefix(colon + 1);
    }
    return out;
}

void checkBpftrace(const std::string &path)
{
    if (path.empty() || path.front() != '/')
        fail(ExitUsage, "bpftrace must be given by absolute path");
    std::vector<std::string> allowed = split(TRACEDESK_SYSTEM_BPFTRACE);
    // Tests point the helper at a fake bpftrace. Honoured only when nobody elevated us, where it
    // grants nothing the caller could not do by running the program itself.
    if (const char *testPath = std::getenv("TRACEDESK_HELPER_TEST_BPFTRACE"); testPath && !elevated())
        allowed.emplace_back(testPath);
    bool listed = false;
    for (const std::string &candidate : allowed)
        listed = listed || candidate == path;
    if (!listed)
        fail(ExitUsage,
            "refusing to run " + path + ": not the configured system bpftrace (" TRACEDESK_SYSTEM_BPFTRACE ")");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        fail(ExitCannotRun, path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        fail(ExitCannotRun, path + " is not a regular file");
    if (elevated() && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))))
        fail(ExitCannotRun, path + " must be owned by root and writable by nobody else");
}

enum class Verb
{
    Run,
    RunUnsafe,
};

Verb parseVerb(const std::string &word)
{
    if (word == "run")
        return Verb::Run;
    if (word == "run-unsafe")
        return Verb::RunUnsafe;
    fail(ExitUsage, "usage: tracedesk-helper run|run-unsafe /usr/bin/bpftrace [bpftrace options...]");
}

// clang runs as root even for a compile-only check: a program's #embed or #include "..." would
// read root-only files into constants or error messages (see preprocessorcheck.h).
void refuseFileReadingPreprocessor(std::string_view program)
{
    if (const std::string why = PreprocessorCheck::fileAccess(program); !why.empty())
        fail(ExitUsage, "refusing the program: " + why);
}

// A program file: an absolute path to a regular file the invoking user owns (so root reads nothing
// the user could not), opened here without following a symlink. bpftrace gets /dev/fd/N, the very
// file checked, so nothing can be swapped in between.
std::string openOwnProgramFile(const std::string &path)
{
    if (path.front() != '/')
        fail(ExitUsage, "refusing \"" + path + "\": a program file must be given by absolute path");
    // O_NONBLOCK: a FIFO must not hang us before fstat() says it is not a regular file.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        fail(ExitUsage,
            "refusing \"" + path + "\": " + (errno == ELOOP ? std::string("a symlink") : std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        fail(ExitUsage, "refusing \"" + path + "\": not a regular file");
    if (st.st_uid != invokingUid())
        fail(ExitUsage, "refusing \"" + path + "\": not owned by the invoking user");
    if (st.st_size > MaxProgramFileBytes)
        fail(ExitUsage, "refusing \"" + path + "\": larger than a program file can be");
    std::string program(size_t(st.st_size), '\0');
    if (::pread(fd, program.data(), program.size(), 0) != ssize_t(program.size()))
        fail(ExitUsage, "refusing \"" + path + "\": cannot read it");
    refuseFileReadingPreprocessor(program);
    return "/dev/fd/" + std::to_string(fd); // left open (not close-on-exec) for bpftrace
}

// bpftrace -l opens its argument as a program file whenever a file of that name exists, so a
// pattern must look like one (a probe type, then ':') and name no file (we work in /).
bool isProbePattern(const std::string &argument)
{
    const size_t colon = argument.find(':');
    if (colon == std::string::npos || colon == 0)
        return false;
    for (size_t i = 0; i < colon; ++i) {
        const char c = argument[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '*'
                || c == '?'))
            return false;
    }
    struct stat st {};
    return ::lstat(argument.c_str(), &st) != 0 && errno == ENOENT;
}

// Only what TraceDesk itself passes, and --unsafe only where nothing runs or the person's
// approval came through polkit. Everything else (-c runs a command as root, -o and --emit-elf
// FILE write a file as root, -I/--include read files, -p, -B, -k, --dry-run attaches) is
// refused. Returns the arguments for bpftrace (a program file becomes /dev/fd/N).
std::vector<std::string> checkArguments(Verb verb, const std::vector<std::string> &args)
{
    std::vector<std::string> out;
    bool compileOnly = false;
    bool unsafe = false;
    bool ast = false;
    bool listing = false;
    bool program = false;
    std::vector<size_t> positional;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        out.push_back(a);
        if (a == "-f") {
            if (i + 1 >= args.size() || (args[i + 1] != "json" && args[i + 1] != "text"))
                fail(ExitUsage, "-f takes json or text");
            out.push_back(args[++i]);
        } else if (a == "-e") {
            if (i + 1 >= args.size())
                fail(ExitUsage, "-e needs a program");
            out.push_back(args[++i]);
            program = true;
            refuseFileReadingPreprocessor(args[i]);
        } else if (a == "--emit-elf") {
            // The compile check's throw-away ELF. Anywhere else it would be a file written as root.
            if (i + 1 >= args.size() || args[i + 1] != "/dev/null")
                fail(ExitUsage, "--emit-elf writes only to /dev/null here");
            out.push_back(args[++i]);
            compileOnly = true;
        } else if (a == "-d") {
            if (i + 1 >= args.size() || args[i + 1] != "ast")
                fail(ExitUsage, "-d takes only ast here");
            out.push_back(args[++i]);
            ast = true;
        } else if (a == "--unsafe") {
            unsafe = true;
        } else if (a == "-l" || a == "-lv") {
            listing = true;
        } else if (a == "--info" || a == "--version") {
            continue;
        } else if (!a.empty() && a.front() != '-') {
            positional.push_back(out.size() - 1);
        } else {
            fail(ExitUsage, "refusing bpftrace argument \"" + a + "\"");
        }
    }

    if (positional.size() > 1)
        fail(ExitUsage, "refusing \"" + out[positional[1]] + "\": at most one probe pattern or program file");
    if (!positional.empty()) {
        std::string &p = out[positional.front()];
        if (program)
            fail(ExitUsage, "refusing \"" + p + "\" after -e: positional parameters are not passed through");
        if (listing && isProbePattern(p)) {
            // kept as given
        } else if (p.front() == '/') {
            p = openOwnProgramFile(p);
            program = true;
        } else {
            fail(ExitUsage,
                "refusing \"" + p
                    + "\": neither a probe pattern (type:..., naming no file) nor a program file by absolute path");
        }
    }
    if (ast && !compileOnly)
        fail(ExitUsage, "-d ast only with --emit-elf /dev/null (the compile check)");
    if (compileOnly && !program)
        fail(ExitUsage, "--emit-elf /dev/null needs a program");

    const bool realUnsafeRun = unsafe && !compileOnly && !listing;
    if (verb == Verb::RunUnsafe) {
        if (!realUnsafeRun)
            fail(ExitUsage, "run-unsafe is only for a run with --unsafe; use run");
        if (underSudo())
            fail(ExitUsage,
                "refusing --unsafe under sudo: a sudoers rule cannot ask anyone for each run, and system() would run "
                "as root for any process of the user. Run TraceDesk with --privilege pkexec for programs that need "
                "--unsafe.");
        if (elevated() && !startedByPkexec())
            fail(ExitUsage, "refusing run-unsafe: only pkexec, which asks the administrator, may start it");
    } else if (realUnsafeRun) {
        fail(ExitUsage,
            "refusing --unsafe for a run without the person's approval: TraceDesk starts such runs as "
            "`pkexec tracedesk-helper run-unsafe ...`, for which polkit asks the administrator every time");
    }
    return out;
}

void forward(pid_t child, int signal)
{
    // bpftrace leads its own process group, so programs it started (system()) get it too.
    if (::kill(-child, signal) != 0)
        ::kill(child, signal);
}

int statusToExitCode(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return ExitCannotRun;
}

// A root program must not open a file onto a closed stdin/stdout/stderr.
void ensureStandardDescriptors()
{
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            const int opened = ::open("/dev/null", O_RDWR);
            if (opened < 0)
                std::_Exit(ExitCannotRun);
            if (opened != fd) {
                ::dup2(opened, fd);
                ::close(opened);
            }
        }
    }
}
} // namespace

int main(int argc, char **argv)
{
    ensureStandardDescriptors();
    if (argc < 3)
        fail(ExitUsage, "usage: tracedesk-helper run|run-unsafe /usr/bin/bpftrace [bpftrace options...]");
    // Nothing relative may resolve against the caller's directory (bpftrace opens a file named like
    // its argument): paths are absolute, and everything else resolves in / only root can populate.
    if (::chdir("/") != 0)
        fail(ExitCannotRun, std::string("chdir /: ") + std::strerror(errno));
    const Verb verb = parseVerb(argv[1]);
    const std::string bpftrace = argv[2];
    checkBpftrace(bpftrace);
    const std::vector<std::string> args = checkArguments(verb, std::vector<std::string>(argv + 3, argv + argc));

    if (::pipe2(s_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        fail(ExitCannotRun, std::string("pipe: ") + std::strerror(errno));
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int signal : { SIGCHLD, SIGINT, SIGTERM, SIGHUP })
        ::sigaction(signal, &action, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0)
        fail(ExitCannotRun, std::string("fork: ") + std::strerror(errno));
    if (child == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(ExitCannotRun);
        // Our stdin is the control channel; bpftrace gets nothing to read.
        const int devNull = ::open("/dev/null", O_RDONLY);
        if (devNull >= 0) {
            ::dup2(devNull, STDIN_FILENO);
            ::close(devNull);
        }
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        for (int signal : { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGPIPE })
            ::sigaction(signal, &dfl, nullptr);
        std::vector<char *> childArgv;
        childArgv.push_back(const_cast<char *>(bpftrace.c_str()));
        for (const std::string &a : args)
            childArgv.push_back(const_cast<char *>(a.c_str()));
        childArgv.push_back(nullptr);
        // A fixed environment: nothing the caller set (LD_PRELOAD, BPFTRACE_*) reaches a root bpftrace.
        const char *lang = std::getenv("LANG");
        std::string langVar = std::string("LANG=") + (lang && std::strlen(lang) < 64 ? lang : "C.UTF-8");
        char pathVar[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
        char *childEnv[] = { pathVar, langVar.data(), nullptr };
        ::execve(bpftrace.c_str(), childArgv.data(), childEnv);
        std::fprintf(stderr, "tracedesk-helper: cannot run %s: %s\n", bpftrace.c_str(), std::strerror(errno));
        ::_exit(errno == ENOENT ? 127 : ExitCannotRun);
    }
    ::setpgid(child, child); // also from here, so the group exists before we ever signal it

    bool stdinOpen = true;
    std::string line;
    time_t killDeadline = 0;
    while (true) {
        pollfd fds[2] = { { s_signalPipe[0], POLLIN, 0 }, { stdinOpen ? STDIN_FILENO : -1, POLLIN, 0 } };
        int timeoutMs = -1;
        if (killDeadline) {
            const time_t now = std::time(nullptr);
            timeoutMs = now >= killDeadline ? 0 : int(killDeadline - now) * 1000;
        }
        const int ready = ::poll(fds, 2, timeoutMs);
        if (ready < 0 && errno != EINTR)
            fail(ExitCannotRun, std::string("poll: ") + std::strerror(errno));
        if (killDeadline && std::time(nullptr) >= killDeadline) {
            forward(child, SIGKILL);
            killDeadline = 0;
        }
        if (fds[0].revents & POLLIN) {
            unsigned char signals[64];
            const ssize_t n = ::read(s_signalPipe[0], signals, sizeof signals);
            for (ssize_t i = 0; i < n; ++i) {
                if (signals[i] == SIGCHLD) {
                    int status = 0;
                    const pid_t done = ::waitpid(child, &status, WNOHANG);
                    if (done == child)
                        return statusToExitCode(status);
                } else {
                    // sudo relays the app's signals to us; pass them on.
                    forward(child, signals[i] == SIGHUP ? SIGTERM : signals[i]);
                }
            }
        }
        if (stdinOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            char buffer[256];
            const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n <= 0) {
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                    continue;
                // The app is gone: nobody will read the maps. Stop bpftrace, then make sure.
                stdinOpen = false;
                forward(child, SIGTERM);
                killDeadline = std::time(nullptr) + TermGraceSeconds;
                continue;
            }
            for (ssize_t i = 0; i < n; ++i) {
                if (buffer[i] != '\n') {
                    if (line.size() < 16)
                        line.push_back(buffer[i]);
                    continue;
                }
                if (!line.empty() && line.back() == '\r')
                    line.pop_back();
                if (line == "INT")
                    forward(child, SIGINT);
                else if (line == "TERM")
                    forward(child, SIGTERM);
                else if (line == "KILL")
                    forward(child, SIGKILL);
                else
                    std::fprintf(stderr, "tracedesk-helper: ignoring unknown request \"%s\"\n", line.c_str());
                line.clear();
            }
        }
    }
}
