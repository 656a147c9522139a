// SPDX-License-Identifier: GPL-2.0-or-later
// The tracedesk command line: one definition shared by main(), --help, the man page and the tests.
//
// Options (see `tracedesk --help`; the README and tracedesk.1 document the same list):
//   (no option)                    open the window; a second start raises the running window
//   --headless                     serve MCP without a window; approvals at the terminal when stdin is one
//   --mcp-stdio                    relay stdin/stdout to the running instance's local socket (what MCP
//                                  clients launch); starts one when none runs (window with a display,
//                                  else headless), waiting up to 10 s
//   --approval-policy deny|allow-low-risk|allow-all
//                                  headless without a terminal (or explicitly given): what happens to
//                                  client requests; default deny
//   --approval-timeout SECONDS     pending requests expire after this long (default 300)
//   --http-port N                  HTTP port (default 8765; 0 = any free port, printed at start)
//   --http-address ADDR            HTTP bind address (default 127.0.0.1; ::1 too when loopback)
//   --no-http                      only the local socket
//   --http-insecure-no-auth        no bearer token on HTTP (testing); refused off loopback
//   --privilege auto|direct|pkexec|sudo
//   --bpftrace PATH                bpftrace executable (default: bpftrace on PATH)
//   --max-concurrent-runs N        starting + running + stopping runs together (default 4)
//   --state-dir DIR                run history and audit log (default $XDG_STATE_HOME/tracedesk)
//   --socket PATH                  MCP local socket (default $XDG_RUNTIME_DIR/tracedesk/mcp.sock)
//   --clients-read-my-runs yes|no  whether AI clients may read (never stop) the person's own runs
//                                  (default: the setting, off)
//   --print-token                  headless: print the HTTP bearer token itself at start
//   --target [NAME=]URI            another machine to trace (repeatable): ssh://[user@]host[:port] or
//                                  k8s://[context/]node; added to the targets of the settings
//   -h/--help, -v/--version
// Isolation for tests: either --state-dir/--socket, or the XDG_RUNTIME_DIR, XDG_STATE_HOME,
// XDG_CONFIG_HOME (settings and the HTTP token) and XDG_CACHE_HOME environment variables.
// Exit codes: 0 success, 1 runtime failure (socket taken, no display, ...), 2 bad command line.
#pragma once

#include "engine/approvalqueue.h"
#include "engine/privilege.h"
#include "engine/setting.h"
#include "engine/targets/target.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

class QSettings;
struct EngineConfig;
struct McpServerConfig;

struct CommandLineOptions
{
    enum class Mode
    {
        Window, ///< the default: QApplication + MainWindow (or raise the running one)
        Headless, ///< --headless
        StdioBridge, ///< --mcp-stdio
    };
    Mode mode = Mode::Window;

    std::optional<ApprovalPolicy> approvalPolicy; ///< unset: deny (headless, no terminal) / ask
    std::optional<int> approvalTimeoutSeconds;
    std::optional<quint16> httpPort;
    std::optional<QHostAddress> httpAddress;
    bool noHttp = false;
    bool httpInsecureNoAuth = false;
    std::optional<PrivilegeMode> privilege;
    QString bpftracePath; ///< empty: setting or "bpftrace"
    std::optional<int> maxConcurrentRuns;
    QString stateDirectory; ///< empty: XDG default
    QString socketPath; ///< empty: not given (the configuration keeps defaultSocketPath())
    std::optional<bool> clientsReadPersonRuns; ///< unset: the setting (default off)
    bool printToken = false;
    QList<Target> targets; ///< --target, in the order given (checked by Target::parseWithName)
    QString platform; ///< Qt's -platform NAME, when given (counts as "a display exists")

    /// The given options minus the mode switches (--headless, --mcp-stdio): what the stdio bridge
    /// passes on to the instance it starts.
    QStringList forwardedArguments;
};

struct CommandLineResult
{
    enum class Status
    {
        Run, ///< options are valid: go on
        Exit, ///< --help / --version: print `output` to stdout, exit 0
        Error, ///< print `error` to stderr, exit 2
    };
    Status status = Status::Run;
    QString output;
    QString error; ///< already ends with the "Try 'tracedesk --help'" hint
    CommandLineOptions options;
};

/// Parses argv (arguments[0] is the program). Qt's own GUI options (-platform, -display, -style,
/// -reverse, ...) are accepted so they reach QApplication; -platform is remembered.
CommandLineResult parseCommandLine(const QStringList &arguments);

/// The full --help text (also used by the packaging helper for the man page).
QString commandLineHelpText();

/// Fills the configurations: built-in defaults, then `settings` (may be null; read by
/// SettingsStore), then the options, which are checked against the same bounds (setting.h).
/// engine->endpoint and *server end up naming the same socket path and HTTP endpoint.
/// The approval policy is not applied here (it depends on the mode and the terminal).
void applyConfiguration(
    const CommandLineOptions &options, const QSettings *settings, EngineConfig *engine, McpServerConfig *server);

/// $XDG_CONFIG_HOME/tracedesk/http-token: where the HTTP bearer token lives (0600).
QString defaultTokenPath();

/// Non-empty (the message) when the final configuration would serve HTTP without a token on a
/// non-loopback address, which is never allowed.
QString refusedInsecureAddress(const McpServerConfig &server);

/// The policy a headless instance uses: the explicit --approval-policy; else Ask when stdin is a
/// terminal (the terminal prompt answers), else Deny.
ApprovalPolicy headlessApprovalPolicy(const CommandLineOptions &options, bool stdinIsTerminal);
