// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/commandline.h"

#include "engine/engine.h"
#include "engine/settingsstore.h"
#include "mcp/mcpserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace {

// QCommandLineParser needs an application object only for the program name and version; we
// build the texts ourselves so that parsing works before any Q*Application exists.
struct Definition
{
    QCommandLineOption headless { u"headless"_s,
        u"Serve MCP without a window. When stdin is a terminal, each client request is "
        "asked there (approve, deny, edit); otherwise --approval-policy decides."_s };
    QCommandLineOption mcpStdio { u"mcp-stdio"_s,
        u"Relay MCP between stdin/stdout and the running instance's local socket (what "
        "MCP clients such as Claude Desktop launch). Starts an instance when none runs "
        "(the window when a display exists, else headless) and waits up to 10 s for it."_s };
    QCommandLineOption approvalPolicy { u"approval-policy"_s,
        u"Headless without a terminal: what happens to client requests. deny (the "
        "default), allow-low-risk or allow-all. Given explicitly, it also applies at "
        "a terminal."_s,
        u"deny|allow-low-risk|allow-all"_s };
    QCommandLineOption approvalTimeout { u"approval-timeout"_s,
        u"Seconds a client request waits for a decision before it expires "
        "(default %1)."_s.arg(Setting::approvalTimeoutSeconds.defaultValue),
        u"SECONDS"_s };
    QCommandLineOption httpPort { u"http-port"_s,
        u"Port of the MCP HTTP endpoint (default %1; 0 picks a free port, printed at "
        "start)."_s.arg(Setting::httpPort.defaultValue),
        u"N"_s };
    QCommandLineOption httpAddress { u"http-address"_s,
        u"Address the HTTP endpoint binds (default 127.0.0.1; ::1 is bound as well "
        "for loopback)."_s,
        u"ADDR"_s };
    QCommandLineOption noHttp { u"no-http"_s, u"Serve MCP only on the local socket."_s };
    QCommandLineOption insecureNoAuth { u"http-insecure-no-auth"_s,
        u"Accept HTTP requests without the bearer token (for testing). Refused on any "
        "non-loopback address."_s };
    QCommandLineOption privilege { u"privilege"_s,
        u"How bpftrace gets its privileges: auto (default), direct, pkexec or sudo."_s, u"auto|direct|pkexec|sudo"_s };
    QCommandLineOption bpftrace { u"bpftrace"_s, u"The bpftrace executable (default: bpftrace on PATH)."_s, u"PATH"_s };
    QCommandLineOption maxConcurrentRuns { u"max-concurrent-runs"_s,
        u"How many runs may be active at once (default %1)."_s.arg(Setting::maxConcurrentRuns.defaultValue), u"N"_s };
    QCommandLineOption stateDir { u"state-dir"_s,
        u"Directory for the run history and the audit log (default "
        "$XDG_STATE_HOME/tracedesk)."_s,
        u"DIR"_s };
    QCommandLineOption socket { u"socket"_s,
        u"Path of the MCP local socket (default $XDG_RUNTIME_DIR/tracedesk/mcp.sock)."_s, u"PATH"_s };
    QCommandLineOption clientsReadMyRuns { u"clients-read-my-runs"_s,
        u"Whether AI clients may list and read (never stop) the runs you start yourself: yes or no (default: "
        "the setting, which is off). A client always sees only its own requests, never another client's."_s,
        u"yes|no"_s };
    QCommandLineOption target { u"target"_s,
        u"Another machine to trace, besides this one (may be given several times): ssh://[user@]host[:port] "
        "(OpenSSH with your keys or agent, never a password; root by login or sudo -n there) or "
        "k8s://[context/]node (kubectl debug). NAME= in front names it (default: the URI without its scheme). "
        "Only targets you configure can be used, also by AI clients."_s,
        u"[NAME=]URI"_s };
    QCommandLineOption printToken { u"print-token"_s,
        u"Headless: print the HTTP bearer token itself at start instead of only the "
        "file that holds it."_s };
    // Qt's GUI options, so that they pass through to QApplication instead of being rejected.
    QCommandLineOption qtPlatform { u"platform"_s, u"Qt platform plugin (Qt option)."_s, u"NAME"_s };
    QCommandLineOption qtDisplay { u"display"_s, u"X11 display (Qt option)."_s, u"DISPLAY"_s };
    QCommandLineOption qtStyle { u"style"_s, u"Widget style (Qt option)."_s, u"STYLE"_s };
    QCommandLineOption qtReverse { u"reverse"_s, u"Right-to-left layout (Qt option)."_s };
    QCommandLineOption qtGeometry { u"qwindowgeometry"_s, u"Window geometry (Qt option)."_s, u"GEOMETRY"_s };

    Definition()
    {
        for (QCommandLineOption *option : { &qtPlatform, &qtDisplay, &qtStyle, &qtReverse, &qtGeometry })
            option->setFlags(QCommandLineOption::HiddenFromHelp);
    }

    void addTo(QCommandLineParser &parser) const
    {
        parser.setApplicationDescription(
            u"A desktop tracing console for bpftrace with an MCP endpoint: AI clients discover probes and "
            "propose bpftrace programs; you approve, edit or deny every program before it runs."_s);
        parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        parser.addOptions({ headless, mcpStdio, approvalPolicy, approvalTimeout, httpPort, httpAddress, noHttp,
            insecureNoAuth, privilege, bpftrace, maxConcurrentRuns, stateDir, socket, clientsReadMyRuns, target,
            printToken, qtPlatform, qtDisplay, qtStyle, qtReverse, qtGeometry });
    }
};

QString programName()
{
    return u"tracedesk"_s;
}

QString versionText()
{
    return programName() + u' ' + QLatin1StringView(TRACEDESK_VERSION_STRING) + u'\n';
}

QString helpFor(const QCommandLineParser &parser)
{
    QString text = parser.helpText();
    // helpText() names the binary by QCoreApplication, which may not exist yet.
    const qsizetype firstLineEnd = text.indexOf(u'\n');
    text.replace(0, firstLineEnd, u"Usage: "_s + programName() + u" [options]"_s);
    // addHelpOption() mentions Qt's own --help-all; we have no Qt-specific help to show.
    text += u"\nWithout --headless or --mcp-stdio, TraceDesk opens its window (a second start raises the running "
            "window). Isolate instances with --state-dir and --socket, or with the XDG_RUNTIME_DIR, "
            "XDG_STATE_HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME environment variables.\n"
            "Exit status: 0 success, 1 runtime failure, 2 bad command line.\n"_s;
    return text;
}

CommandLineResult error(const QString &message)
{
    CommandLineResult result;
    result.status = CommandLineResult::Status::Error;
    result.error
        = programName() + u": "_s + message + u"\nTry '"_s + programName() + u" --help' for more information.\n"_s;
    return result;
}

// A whole number within the setting's bounds, the same the settings file and dialog keep to.
std::optional<qint64> boundedInt(const QString &text, const IntSetting &setting)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || !setting.accepts(value))
        return std::nullopt;
    return value;
}

} // namespace

QString commandLineHelpText()
{
    QCommandLineParser parser;
    Definition definition;
    definition.addTo(parser);
    parser.addHelpOption();
    parser.addVersionOption();
    return helpFor(parser);
}

CommandLineResult parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    Definition def;
    def.addTo(parser);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();

    if (!parser.parse(arguments))
        return error(parser.errorText());
    // Qt's addHelpOption() also adds --help-all (help plus Qt's generic options); both print help.
    if (parser.isSet(help) || parser.isSet(u"help-all"_s)) {
        CommandLineResult result;
        result.status = CommandLineResult::Status::Exit;
        result.output = helpFor(parser);
        return result;
    }
    if (parser.isSet(version)) {
        CommandLineResult result;
        result.status = CommandLineResult::Status::Exit;
        result.output = versionText();
        return result;
    }
    if (!parser.positionalArguments().isEmpty())
        return error(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst()));

    // Each value option may be given once: a repeated one is almost always a mistake in a script.
    for (const QString &name : parser.optionNames()) {
        if (name != "target"_L1 && parser.optionNames().count(name) > 1)
            return error(u"option '--%1' given more than once"_s.arg(name));
    }

    CommandLineResult result;
    CommandLineOptions &o = result.options;

    if (parser.isSet(def.headless) && parser.isSet(def.mcpStdio))
        return error(u"--headless and --mcp-stdio exclude each other (the bridge starts a headless instance by "
                     "itself when needed)"_s);
    if (parser.isSet(def.headless))
        o.mode = CommandLineOptions::Mode::Headless;
    else if (parser.isSet(def.mcpStdio))
        o.mode = CommandLineOptions::Mode::StdioBridge;

    if (parser.isSet(def.approvalPolicy)) {
        const QString value = parser.value(def.approvalPolicy);
        if (value == "deny"_L1)
            o.approvalPolicy = ApprovalPolicy::Deny;
        else if (value == "allow-low-risk"_L1)
            o.approvalPolicy = ApprovalPolicy::AllowLowRisk;
        else if (value == "allow-all"_L1)
            o.approvalPolicy = ApprovalPolicy::AllowAll;
        else
            return error(u"invalid --approval-policy '%1' (expected deny, allow-low-risk or allow-all)"_s.arg(value));
    }
    if (parser.isSet(def.approvalTimeout)) {
        const auto seconds = boundedInt(parser.value(def.approvalTimeout), Setting::approvalTimeoutSeconds);
        if (!seconds)
            return error(u"invalid --approval-timeout '%1' (expected whole seconds from %2 to %3)"_s
                    .arg(parser.value(def.approvalTimeout))
                    .arg(Setting::approvalTimeoutSeconds.minimum)
                    .arg(Setting::approvalTimeoutSeconds.maximum));
        o.approvalTimeoutSeconds = int(*seconds);
    }
    if (parser.isSet(def.httpPort)) {
        // Digits only: toLongLong() would take "-0" or " 1".
        const QString text = parser.value(def.httpPort);
        const auto port = text.contains(u'-') ? std::nullopt : boundedInt(text, Setting::httpPort);
        if (!port)
            return error(u"invalid --http-port '%1' (expected %2 to %3; 0 picks a free port)"_s.arg(text)
                    .arg(Setting::httpPort.minimum)
                    .arg(Setting::httpPort.maximum));
        o.httpPort = quint16(*port);
    }
    if (parser.isSet(def.httpAddress)) {
        const QString text = parser.value(def.httpAddress);
        QHostAddress address;
        if (text == "localhost"_L1)
            address = QHostAddress(QHostAddress::LocalHost);
        else if (!address.setAddress(text))
            return error(
                u"invalid --http-address '%1' (expected an IPv4 or IPv6 address such as 127.0.0.1)"_s.arg(text));
        o.httpAddress = address;
    }
    o.noHttp = parser.isSet(def.noHttp);
    o.httpInsecureNoAuth = parser.isSet(def.insecureNoAuth);
    if (o.noHttp && (o.httpPort || o.httpAddress || o.httpInsecureNoAuth))
        return error(u"--no-http contradicts --http-port, --http-address and --http-insecure-no-auth"_s);
    if (o.httpInsecureNoAuth && o.httpAddress && !o.httpAddress->isLoopback())
        return error(u"--http-insecure-no-auth is refused on the non-loopback address %1: anyone who can reach it "
                     "could run bpftrace requests; keep the token or bind 127.0.0.1"_s.arg(o.httpAddress->toString()));

    if (parser.isSet(def.privilege)) {
        const QString value = parser.value(def.privilege);
        o.privilege = privilegeModeFromName(value);
        if (!o.privilege)
            return error(u"invalid --privilege '%1' (expected auto, direct, pkexec or sudo)"_s.arg(value));
    }
    if (parser.isSet(def.bpftrace)) {
        o.bpftracePath = parser.value(def.bpftrace);
        if (o.bpftracePath.isEmpty())
            return error(u"--bpftrace needs a path"_s);
    }
    if (parser.isSet(def.maxConcurrentRuns)) {
        const auto runs = boundedInt(parser.value(def.maxConcurrentRuns), Setting::maxConcurrentRuns);
        if (!runs)
            return error(
                u"invalid --max-concurrent-runs '%1' (expected %2 to %3)"_s.arg(parser.value(def.maxConcurrentRuns))
                    .arg(Setting::maxConcurrentRuns.minimum)
                    .arg(Setting::maxConcurrentRuns.maximum));
        o.maxConcurrentRuns = int(*runs);
    }
    if (parser.isSet(def.stateDir)) {
        o.stateDirectory = parser.value(def.stateDir);
        if (o.stateDirectory.isEmpty())
            return error(u"--state-dir needs a directory"_s);
    }
    if (parser.isSet(def.socket)) {
        o.socketPath = parser.value(def.socket);
        if (o.socketPath.isEmpty())
            return error(u"--socket needs a path"_s);
    }
    if (parser.isSet(def.clientsReadMyRuns)) {
        const QString value = parser.value(def.clientsReadMyRuns);
        if (value == "yes"_L1)
            o.clientsReadPersonRuns = true;
        else if (value == "no"_L1)
            o.clientsReadPersonRuns = false;
        else
            return error(u"invalid --clients-read-my-runs '%1' (expected yes or no)"_s.arg(value));
    }
    for (const QString &value : parser.values(def.target)) {
        QString why;
        const std::optional<Target> target = Target::parseWithName(value, &why);
        if (!target)
            return error(u"--target: "_s + why);
        if (target->isLocal())
            continue; // always there
        for (const Target &other : std::as_const(o.targets)) {
            if (other.name == target->name)
                return error(u"--target: the name '%1' is given twice"_s.arg(target->name));
        }
        o.targets.append(*target);
    }
    o.printToken = parser.isSet(def.printToken);
    if (parser.isSet(def.qtPlatform))
        o.platform = parser.value(def.qtPlatform);

    // What the bridge hands to the instance it starts: everything except the mode switches.
    const QStringList modeSwitches { u"--headless"_s, u"-headless"_s, u"--mcp-stdio"_s, u"-mcp-stdio"_s };
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        if (!modeSwitches.contains(arguments.at(i)))
            o.forwardedArguments.append(arguments.at(i));
    }
    return result;
}

void applyConfiguration(
    const CommandLineOptions &options, const QSettings *settings, EngineConfig *engine, McpServerConfig *server)
{
    if (settings)
        SettingsStore::read(*settings, engine);

    if (options.privilege)
        engine->privilege = *options.privilege;
    if (!options.bpftracePath.isEmpty())
        engine->bpftracePath = options.bpftracePath;
    if (options.approvalTimeoutSeconds)
        engine->approvalTimeoutSeconds = *options.approvalTimeoutSeconds;
    if (options.maxConcurrentRuns)
        engine->limits.maxConcurrentRuns = *options.maxConcurrentRuns;
    if (!options.stateDirectory.isEmpty())
        engine->stateDirectory = options.stateDirectory;
    if (options.clientsReadPersonRuns)
        engine->clientsReadPersonRuns = *options.clientsReadPersonRuns;
    // --target adds to the saved targets; one of the same name replaces the saved one.
    for (const Target &target : options.targets) {
        engine->targets.removeIf([&target](const Target &t) { return t.name == target.name; });
        engine->targets.append(target);
    }

    EndpointConfig &endpoint = engine->endpoint;
    if (!options.socketPath.isEmpty())
        endpoint.socketPath = options.socketPath;
    if (options.noHttp)
        endpoint.httpEnabled = false;
    if (options.httpPort) {
        endpoint.httpPort = *options.httpPort;
        endpoint.httpEnabled = true;
    }
    if (options.httpAddress)
        endpoint.httpAddress = options.httpAddress->toString();

    server->socketPath = endpoint.socketPath;
    server->httpEnabled = endpoint.httpEnabled;
    server->httpPort = endpoint.httpPort;
    if (QHostAddress address; address.setAddress(endpoint.httpAddress))
        server->httpAddress = address;
    // A saved non-loopback address plus --http-insecure-no-auth is caught by McpServer::start()
    // as well; here the command line alone decides.
    server->httpRequireToken = !options.httpInsecureNoAuth;
    if (server->tokenPath.isEmpty())
        server->tokenPath = defaultTokenPath();
}

QString defaultTokenPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + u"/tracedesk/http-token"_s;
}

QString refusedInsecureAddress(const McpServerConfig &server)
{
    if (server.httpEnabled && !server.httpRequireToken && !server.httpAddress.isLoopback())
        return u"--http-insecure-no-auth is refused on the non-loopback address %1 (from the settings): keep the "
               "token or bind 127.0.0.1"_s.arg(server.httpAddress.toString());
    return {};
}

ApprovalPolicy headlessApprovalPolicy(const CommandLineOptions &options, bool stdinIsTerminal)
{
    if (options.approvalPolicy)
        return *options.approvalPolicy;
    return stdinIsTerminal ? ApprovalPolicy::Ask : ApprovalPolicy::Deny;
}
