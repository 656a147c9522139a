// SPDX-License-Identifier: GPL-2.0-or-later
// tracedesk: the window (default), --headless (MCP only) or --mcp-stdio (the bridge MCP clients
// launch). The command line is defined in commandline.h.
#include "app/commandline.h"
#include "app/desktopinstance.h"
#include "app/headless.h"
#include "mcp/mcpsocketserver.h"
#include "mcp/stdiobridge.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QSettings>
#include <QStringList>
#include <QTimer>

#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

QStringList argumentsFrom(int argc, char **argv)
{
    // Parsed before any Q*Application exists: which one to create depends on the options.
    QStringList arguments;
    arguments.reserve(argc);
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

void print(std::FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

void setApplicationNames()
{
    // QSettings() everywhere (the window's settings dialog too) resolves to
    // $XDG_CONFIG_HOME/tracedesk/tracedesk.conf.
    QCoreApplication::setOrganizationName(u"tracedesk"_s);
    QCoreApplication::setApplicationName(u"tracedesk"_s);
    QCoreApplication::setApplicationVersion(QLatin1StringView(TRACEDESK_VERSION_STRING));
}

bool hasDisplay(const CommandLineOptions &options)
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !options.platform.isEmpty();
}

// Command line over settings over defaults; false (after saying why) when the configuration
// is one TraceDesk refuses to serve.
bool loadConfiguration(const CommandLineOptions &options, EngineConfig *engineConfig, McpServerConfig *serverConfig)
{
    const QSettings settings;
    applyConfiguration(options, &settings, engineConfig, serverConfig);
    if (const QString refused = refusedInsecureAddress(*serverConfig); !refused.isEmpty()) {
        print(stderr, u"tracedesk: "_s + refused + u'\n');
        return false;
    }
    return true;
}

int runStdioBridge(int argc, char **argv, const CommandLineOptions &options)
{
    QCoreApplication app(argc, argv);
    setApplicationNames();
    // The client may close our stdout while we write; that is an orderly end, not a crash.
    std::signal(SIGPIPE, SIG_IGN);

    StdioBridge::Options bridgeOptions;
    bridgeOptions.socketPath = options.socketPath;
    bridgeOptions.program = QCoreApplication::applicationFilePath();
    bridgeOptions.arguments = options.forwardedArguments;
    if (!hasDisplay(options))
        bridgeOptions.arguments.prepend(u"--headless"_s);
    StdioBridge bridge(bridgeOptions);
    QObject::connect(&bridge, &StdioBridge::finished, &app, [&app](int exitCode, const QString &message) {
        if (!message.isEmpty())
            print(stderr, u"tracedesk --mcp-stdio: "_s + message + u'\n');
        app.exit(exitCode);
    });
    QTimer::singleShot(0, &bridge, &StdioBridge::start);
    return app.exec();
}

int runHeadless(int argc, char **argv, const CommandLineOptions &options)
{
    QCoreApplication app(argc, argv);
    setApplicationNames();
    EngineConfig engineConfig;
    McpServerConfig serverConfig;
    if (!loadConfiguration(options, &engineConfig, &serverConfig))
        return 2;

    HeadlessInstance instance(options, engineConfig, serverConfig);
    QString error;
    if (!instance.start(&error)) {
        print(stderr, u"tracedesk: cannot serve MCP: "_s + error + u'\n');
        if (McpSocketServer::isLive(serverConfig.socketPath))
            print(stderr,
                u"tracedesk: another TraceDesk instance is already running; connect to it (tracedesk "
                "--mcp-stdio) or stop it first\n"_s);
        return 1;
    }
    QObject::connect(&instance, &HeadlessInstance::finished, &app, &QCoreApplication::exit);
    return app.exec();
}

int runWindow(int argc, char **argv, const CommandLineOptions &options)
{
    if (!hasDisplay(options)) {
        print(stderr,
            u"tracedesk: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
            "To serve MCP without a window run 'tracedesk --headless'; MCP clients can use "
            "'tracedesk --mcp-stdio', which starts a headless instance by itself.\n"_s);
        return 1;
    }
    QApplication app(argc, argv);
    setApplicationNames();
    QApplication::setDesktopFileName(u"org.tracedesk.TraceDesk"_s);
    MainWindow::applyDesktopLook();

    EngineConfig engineConfig;
    McpServerConfig serverConfig;
    if (!loadConfiguration(options, &engineConfig, &serverConfig))
        return 2;

    DesktopInstance instance(options, engineConfig, serverConfig);
    QObject::connect(&instance, &DesktopInstance::finished, &app, &QCoreApplication::exit);
    QTimer::singleShot(0, &instance, &DesktopInstance::start);
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    const CommandLineResult parsed = parseCommandLine(argumentsFrom(argc, argv));
    switch (parsed.status) {
    case CommandLineResult::Status::Exit:
        print(stdout, parsed.output);
        return 0;
    case CommandLineResult::Status::Error:
        print(stderr, parsed.error);
        return 2;
    case CommandLineResult::Status::Run:
        break;
    }

    switch (parsed.options.mode) {
    case CommandLineOptions::Mode::StdioBridge:
        return runStdioBridge(argc, argv, parsed.options);
    case CommandLineOptions::Mode::Headless:
        return runHeadless(argc, argv, parsed.options);
    case CommandLineOptions::Mode::Window:
        break;
    }
    return runWindow(argc, argv, parsed.options);
}
