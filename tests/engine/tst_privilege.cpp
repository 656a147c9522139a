// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/privilege.h"

#include <QFile>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
Privilege::Environment environment(bool root, bool caps, bool flatpak, bool pkexec, bool sudo)
{
    Privilege::Environment env;
    env.isRoot = root;
    env.hasBpfCapabilities = caps;
    env.insideFlatpak = flatpak;
    env.pkexecPath = pkexec ? u"/usr/bin/pkexec"_s : QString();
    env.sudoPath = sudo ? u"/usr/bin/sudo"_s : QString();
    env.bpftracePath = u"/usr/bin/bpftrace"_s;
    env.helperPath = u"/usr/libexec/tracedesk-helper"_s;
    return env;
}

const QStringList s_args { u"-f"_s, u"json"_s, u"-e"_s, u"BEGIN { exit(); }"_s };
} // namespace

class TestPrivilege : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hostPathOfFlatpakFiles_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("info");
        QTest::addColumn<QString>("expected");
        const QString info = u"[Application]\nname=org.tracedesk.TraceDesk\n\n[Instance]\ninstance-id=1\n"
                             "app-path=/var/lib/flatpak/app/org.tracedesk.TraceDesk/x86_64/master/abc/files\n"_s;
        QTest::newRow("helper under /app") << u"/app/libexec/tracedesk-helper"_s << info
                                           << u"/var/lib/flatpak/app/org.tracedesk.TraceDesk/x86_64/master/abc/files"
                                              "/libexec/tracedesk-helper"_s;
        QTest::newRow("not under /app") << u"/usr/libexec/tracedesk-helper"_s << info
                                        << u"/usr/libexec/tracedesk-helper"_s;
        QTest::newRow("/application is not /app") << u"/application/x"_s << info << u"/application/x"_s;
        QTest::newRow("no instance group")
            << u"/app/libexec/tracedesk-helper"_s << u"[Application]\napp-path=/elsewhere\n"_s
            << u"/app/libexec/tracedesk-helper"_s;
        QTest::newRow("relative app-path ignored")
            << u"/app/libexec/tracedesk-helper"_s << u"[Instance]\napp-path=relative\n"_s
            << u"/app/libexec/tracedesk-helper"_s;
    }

    void hostPathOfFlatpakFiles()
    {
        QFETCH(QString, path);
        QFETCH(QString, info);
        QFETCH(QString, expected);
        QCOMPARE(Privilege::Environment::hostPathOf(path, info), expected);
    }

    void commands_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("flatpak");
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("viaHelper");

        const QString helper = u"/usr/libexec/tracedesk-helper"_s;
        const QString bpftrace = u"/usr/bin/bpftrace"_s;
        QTest::newRow("direct") << int(PrivilegeMode::Direct) << false << bpftrace << s_args << false;
        QTest::newRow("pkexec") << int(PrivilegeMode::Pkexec) << false << u"/usr/bin/pkexec"_s
                                << (QStringList { helper, u"run"_s, bpftrace } + s_args) << true;
        QTest::newRow("sudo never prompts")
            << int(PrivilegeMode::Sudo) << false << u"/usr/bin/sudo"_s
            << (QStringList { u"-n"_s, u"--"_s, helper, u"run"_s, bpftrace } + s_args) << true;
        const QStringList host { u"--host"_s, u"--watch-bus"_s };
        QTest::newRow("flatpak direct") << int(PrivilegeMode::Direct) << true << u"flatpak-spawn"_s
                                        << (host + QStringList { bpftrace } + s_args) << false;
        QTest::newRow("flatpak pkexec on the host")
            << int(PrivilegeMode::Pkexec) << true << u"flatpak-spawn"_s
            << (host + QStringList { u"pkexec"_s, helper, u"run"_s, bpftrace } + s_args) << true;
        QTest::newRow("flatpak sudo on the host")
            << int(PrivilegeMode::Sudo) << true << u"flatpak-spawn"_s
            << (host + QStringList { u"sudo"_s, u"-n"_s, u"--"_s, helper, u"run"_s, bpftrace } + s_args) << true;
    }

    void commands()
    {
        QFETCH(int, mode);
        QFETCH(bool, flatpak);
        QFETCH(QString, program);
        QFETCH(QStringList, arguments);
        QFETCH(bool, viaHelper);
        const Privilege privilege(PrivilegeMode(mode), environment(false, false, flatpak, true, true));
        const LaunchCommand command = privilege.wrap(s_args);
        QCOMPARE(command.program, program);
        QCOMPARE(command.arguments, arguments);
        QCOMPARE(command.viaHelper, viaHelper);
        // The script stays one argument: no shell ever sees it.
        QCOMPARE(command.arguments.count(u"BEGIN { exit(); }"_s), 1);
        QVERIFY(!command.arguments.contains(u"-c"_s));
        QVERIFY(!command.arguments.contains(u"-S"_s)); // sudo -S would read a password from stdin
        QCOMPARE(privilege.wrapQuery(s_args), command);
    }

    // The helper's first argument is what polkit matches to choose the action: `run-unsafe` (the
    // administrator is asked for this run) exactly for a real run with --unsafe.
    void helperVerb_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("verb");
        const QString p = u"BEGIN { system(\"id\"); }"_s;
        QTest::newRow("safe run") << s_args << u"run"_s;
        QTest::newRow("unsafe run") << QStringList { u"-f"_s, u"json"_s, u"--unsafe"_s, u"-e"_s, p } << u"run-unsafe"_s;
        QTest::newRow("compile check") << QStringList { u"--emit-elf"_s, u"/dev/null"_s, u"--unsafe"_s, u"-e"_s, p }
                                       << u"run"_s;
        QTest::newRow("AST check") << QStringList { u"-d"_s, u"ast"_s, u"--emit-elf"_s, u"/dev/null"_s, u"--unsafe"_s,
            u"-e"_s, p } << u"run"_s;
        QTest::newRow("--emit-elf to a file is not a check")
            << QStringList { u"--emit-elf"_s, u"/tmp/x"_s, u"--unsafe"_s, u"-e"_s, p } << u"run-unsafe"_s;
        QTest::newRow("listing") << QStringList { u"-l"_s, u"-e"_s, p } << u"run"_s;
        QTest::newRow("queries") << QStringList { u"--info"_s } << u"run"_s;
    }

    void helperVerb()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, verb);
        QCOMPARE(Privilege::helperVerb(arguments), verb);
        for (PrivilegeMode mode : { PrivilegeMode::Pkexec, PrivilegeMode::Sudo }) {
            const LaunchCommand command = Privilege(mode, environment(false, false, false, true, true)).wrap(arguments);
            const qsizetype helper = command.arguments.indexOf(u"/usr/libexec/tracedesk-helper"_s);
            QVERIFY(helper >= 0);
            QCOMPARE(command.arguments.value(helper + 1), verb); // argv[1] of the helper, as polkit sees it
            QCOMPARE(command.arguments.mid(helper + 3), arguments);
        }
        // Direct mode has no helper and no verb.
        const LaunchCommand direct
            = Privilege(PrivilegeMode::Direct, environment(true, false, false, true, true)).wrap(arguments);
        QCOMPARE(direct.program, u"/usr/bin/bpftrace"_s);
        QCOMPARE(direct.arguments, arguments);
    }

    void autoResolution_data()
    {
        QTest::addColumn<bool>("root");
        QTest::addColumn<bool>("caps");
        QTest::addColumn<bool>("flatpak");
        QTest::addColumn<bool>("pkexec");
        QTest::addColumn<bool>("sudo");
        QTest::addColumn<int>("expected");
        QTest::newRow("root") << true << false << false << true << true << int(PrivilegeMode::Direct);
        QTest::newRow("capabilities") << false << true << false << true << true << int(PrivilegeMode::Direct);
        QTest::newRow("user with pkexec") << false << false << false << true << true << int(PrivilegeMode::Pkexec);
        QTest::newRow("user with only sudo") << false << false << false << false << true << int(PrivilegeMode::Sudo);
        QTest::newRow("user with neither") << false << false << false << false << false << int(PrivilegeMode::Pkexec);
        QTest::newRow("root inside flatpak still needs the host")
            << true << false << true << false << false << int(PrivilegeMode::Pkexec);
    }

    void autoResolution()
    {
        QFETCH(bool, root);
        QFETCH(bool, caps);
        QFETCH(bool, flatpak);
        QFETCH(bool, pkexec);
        QFETCH(bool, sudo);
        QFETCH(int, expected);
        const Privilege privilege(PrivilegeMode::Auto, environment(root, caps, flatpak, pkexec, sudo));
        QCOMPARE(int(privilege.mode()), expected);
        QVERIFY(!privilege.description().isEmpty());
        if (flatpak)
            QVERIFY(privilege.description().contains(u"flatpak"_s));
    }

    void problems()
    {
        QVERIFY(Privilege(PrivilegeMode::Direct, environment(true, false, false, false, false)).problem().isEmpty());
        QVERIFY(Privilege(PrivilegeMode::Direct, environment(false, false, false, true, true))
                .problem()
                .contains(u"CAP_BPF"_s));
        QVERIFY(Privilege(PrivilegeMode::Pkexec, environment(false, false, false, false, true))
                .problem()
                .contains(u"pkexec"_s));
        QVERIFY(Privilege(PrivilegeMode::Sudo, environment(false, false, false, true, false))
                .problem()
                .contains(u"sudo"_s));
        // The helper path in environment() does not exist on this machine.
        QVERIFY(Privilege(PrivilegeMode::Pkexec, environment(false, false, false, true, true))
                    .problem()
                    .contains(u"tracedesk-helper"_s)
            || QFile::exists(u"/usr/libexec/tracedesk-helper"_s));
        Privilege::Environment env = environment(false, false, false, true, true);
        env.helperPath = QStringLiteral(TRACEDESK_BINARY_DIR) + u"/bin/tracedesk-helper"_s;
        QVERIFY2(Privilege(PrivilegeMode::Pkexec, env).problem().isEmpty(),
            qPrintable(Privilege(PrivilegeMode::Pkexec, env).problem()));
    }

    void names()
    {
        for (PrivilegeMode mode :
            { PrivilegeMode::Auto, PrivilegeMode::Direct, PrivilegeMode::Pkexec, PrivilegeMode::Sudo })
            QCOMPARE(privilegeModeFromName(privilegeModeName(mode)), mode);
        QVERIFY(!privilegeModeFromName(u"doas"_s));
    }

    void detectThisMachine()
    {
        const auto env = Privilege::Environment::detect(u"bpftrace"_s, u"/x/tracedesk-helper"_s);
        QCOMPARE(env.isRoot, ::geteuid() == 0);
        if (env.isRoot)
            QVERIFY(env.hasBpfCapabilities); // root holds every capability here
        QCOMPARE(env.insideFlatpak, QFile::exists(u"/.flatpak-info"_s));
        QVERIFY2(env.bpftracePath.startsWith(u'/'), qPrintable(env.bpftracePath)); // resolved for the helper
        QCOMPARE(env.helperPath, u"/x/tracedesk-helper"_s);
        if (env.isRoot)
            QCOMPARE(Privilege(PrivilegeMode::Auto, env).mode(), PrivilegeMode::Direct);
    }
};

QTEST_GUILESS_MAIN(TestPrivilege)
#include "tst_privilege.moc"
