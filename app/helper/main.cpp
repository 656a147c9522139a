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
// It runs as root, so it trusts nothing it is given: it only executes the configured system
// bpftrace by absolute path (no PATH search, no shell), accepts a short list of bpftrace options
// (never -c, -o or anything else that runs or writes as root), and gives bpftrace a fixed
// environment. Deliberately plain POSIX, no Qt: small, and nothing to load before the checks.
//
// Usage: tracedesk-helper /usr/bin/bpftrace [bpftrace options...]

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

// Started through pkexec or sudo: the caller is someone else and nothing from the environment
// may widen what we run.
bool elevated()
{
    return std::getenv("PKEXEC_UID") || std::getenv("SUDO_UID") || std::getenv("SUDO_USER") || ::getuid() != ::geteuid()
        || ::getgid() != ::getegid();
}

uid_t invokingUid()
{
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

bool isPatternOrOwnFile(const std::string &argument)
{
    if (argument.empty() || argument.front() == '-')
        return false;
    if (argument.find('/') == std::string::npos)
        return true; // a probe pattern such as tracepoint:syscalls:*
    // A program file for `-l prog.bt`: only one the invoking user owns, so root reads nothing
    // the user could not.
    struct stat st {};
    const int fd = ::open(argument.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == invokingUid();
    ::close(fd);
    return ok;
}

// Only what TraceDesk itself passes. Everything else (-c runs a command as root, -o writes a
// file as root, -I/--include read files) is refused.
void checkArguments(const std::vector<std::string> &args)
{
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "-f") {
            if (i + 1 >= args.size() || (args[i + 1] != "json" && args[i + 1] != "text"))
                fail(ExitUsage, "-f takes json or text");
            ++i;
        } else if (a == "-e") {
            if (i + 1 >= args.size())
                fail(ExitUsage, "-e needs a program");
            ++i;
        } else if (a == "--unsafe" || a == "-l" || a == "-lv" || a == "-v" || a == "-q" || a == "--info"
            || a == "--version" || a == "--dry-run" || a == "--no-warnings") {
            continue;
        } else if (isPatternOrOwnFile(a)) {
            continue;
        } else {
            fail(ExitUsage, "refusing bpftrace argument \"" + a + "\"");
        }
    }
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
} // namespace

int main(int argc, char **argv)
{
    if (argc < 2)
        fail(ExitUsage, "usage: tracedesk-helper /usr/bin/bpftrace [bpftrace options...]");
    const std::string bpftrace = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    checkBpftrace(bpftrace);
    checkArguments(args);

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
