// SPDX-License-Identifier: GPL-2.0-or-later
// The real tracedesk-helper in front of the real bpftrace, on its elevated code paths: what the
// fakes in tests/engine cannot prove. Started as root with PKEXEC_UID in its environment it
// behaves as under pkexec (no polkit agent needed); through the real `sudo -n` when sudo is
// installed (root may sudo without a rule). Skips with a reason where that cannot run.
#include "../engine/runtestutil.h"
#include "engine/privilege.h"
#include "engine/queryprocess.h"
#include "engine/scriptanalyzer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
// Someone other than root, for PKEXEC_UID: the person who asked.
constexpr uid_t Invoker = 65534;

// The helper runs only the configured system bpftrace, so that is the one to use.
QString systemBpftrace()
{
    for (const QString &path : { u"/usr/bin/bpftrace"_s, u"/usr/sbin/bpftrace"_s, u"/usr/local/bin/bpftrace"_s }) {
        if (QFileInfo(path).isExecutable())
            return path;
    }
    return QString();
}

struct Outcome
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QByteArray all() const { return out + '\n' + err; }
};

/// The helper with `arguments`, its environment cleaned of elevation markers, plus `extra`.
Outcome runHelper(const QStringList &arguments, const QList<QPair<QString, QString>> &extra,
    const QString &workingDirectory = QString(), const QString &program = helperBinary())
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : { "PKEXEC_UID", "SUDO_UID", "SUDO_USER", "SUDO_COMMAND", "SUDO_GID" })
        env.remove(QString::fromLatin1(name));
    for (const auto &[name, value] : extra)
        env.insert(name, value);
    process.setProcessEnvironment(env);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    if (!process.waitForFinished(90000)) {
        process.kill();
        process.waitForFinished();
    }
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
        process.readAllStandardError() };
}

const QList<QPair<QString, QString>> &asPkexec()
{
    static const QList<QPair<QString, QString>> env { { u"PKEXEC_UID"_s, QString::number(Invoker) } };
    return env;
}

bool writeFile(const QString &path, const QByteArray &data, uid_t owner, mode_t mode)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size())
        return false;
    file.close();
    return ::chown(QFile::encodeName(path).constData(), owner, owner) == 0
        && ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

} // namespace

class TestRealHelper : public QObject
{
    Q_OBJECT

    QString m_bpftrace;
    QString m_sudo;

    Privilege privilege(PrivilegeMode mode) const
    {
        Privilege::Environment env;
        env.pkexecPath = u"/usr/bin/pkexec"_s;
        env.sudoPath = m_sudo;
        env.helperPath = helperBinary();
        env.bpftracePath = m_bpftrace;
        return Privilege(mode, env);
    }

    // The analyzer's command in this mode, as Engine sets it up. For pkexec: what pkexec would
    // exec once polkit said yes (the helper and its arguments), run as root with PKEXEC_UID.
    LaunchCommand analyzerCommand(const QString &mode) const
    {
        if (mode == "sudo"_L1)
            return privilege(PrivilegeMode::Sudo).wrapQuery({});
        const LaunchCommand viaPkexec = privilege(PrivilegeMode::Pkexec).wrapQuery({});
        return LaunchCommand { viaPkexec.arguments.first(), viaPkexec.arguments.mid(1), true };
    }

    static std::optional<ScriptAnalysis> analyze(const LaunchCommand &command, const QString &script)
    {
        ScriptAnalyzer analyzer;
        analyzer.setBpftraceCommand(command);
        analyzer.setTimeoutMs(60000);
        std::optional<ScriptAnalysis> result;
        analyzer.analyze(script, nullptr, [&result](const ScriptAnalysis &a) { result = a; });
        if (!QTest::qWaitFor([&result] { return result.has_value(); }, 120000))
            qWarning() << "the analysis did not finish";
        return result;
    }

    void requireSudo(const QString &mode)
    {
        if (mode == "sudo"_L1 && m_sudo.isEmpty())
            QSKIP("sudo is not installed here (tools/dev's build root has it)");
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("the helper's elevated paths need root to run as under pkexec or sudo");
        m_bpftrace = systemBpftrace();
        if (m_bpftrace.isEmpty())
            QSKIP("no system bpftrace (/usr/bin/bpftrace) to run through the helper");
        QVERIFY2(QFileInfo(helperBinary()).isExecutable(), qPrintable(helperBinary()));
        m_sudo = QStandardPaths::findExecutable(u"sudo"_s);
    }

    // ---- (a) the compile check works through the helper, with bpftrace's own verdict

    void compileCheckThroughTheHelper_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("pkexec") << u"pkexec"_s;
        QTest::newRow("sudo -n") << u"sudo"_s;
    }

    void compileCheckThroughTheHelper()
    {
        QFETCH(QString, mode);
        requireSudo(mode);
        const LaunchCommand command = analyzerCommand(mode);
        QVERIFY(command.viaHelper);
        std::optional<ScopedEnv> pkexecUid;
        if (mode == "pkexec"_L1)
            pkexecUid.emplace("PKEXEC_UID", QByteArray::number(Invoker));

        const auto valid = analyze(command, u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s);
        QVERIFY(valid);
        QVERIFY2(valid->checked, qPrintable(valid->uncheckedReason));
        QVERIFY2(!valid->hasErrors(), QJsonDocument(valid->toJson()).toJson().constData());

        const auto invalid = analyze(command, u"BEGIN { printf(\"x\\n\") \n undefined_function_x(); }"_s);
        QVERIFY(invalid);
        QVERIFY(invalid->checked);
        QVERIFY(invalid->hasErrors());
        for (const Diagnostic &d : invalid->diagnostics) {
            QVERIFY2(!d.message.contains(u"refusing"_s) && !d.message.contains(u"tracedesk-helper"_s),
                qPrintable(d.message)); // bpftrace's error, not the helper's
        }

        // A program that needs --unsafe is compiled with it, and nothing of it runs.
        QTemporaryDir dir;
        const QString marker = dir.filePath(u"ran"_s);
        const auto unsafe = analyze(command, u"BEGIN { system(\"touch %1\"); }"_s.arg(marker));
        QVERIFY(unsafe);
        QVERIFY(unsafe->needsUnsafe);
        QVERIFY2(unsafe->checked && !unsafe->hasErrors(), QJsonDocument(unsafe->toJson()).toJson().constData());
        QVERIFY(!QFile::exists(marker));
    }

    // When the helper refuses (here: a bpftrace that is not the configured system one), bpftrace
    // never saw the program: the analysis is "not checked", never "invalid" or valid.
    void helperRefusalIsNotChecked()
    {
        LaunchCommand command = analyzerCommand(u"pkexec"_s);
        const qsizetype at = command.arguments.indexOf(m_bpftrace);
        QVERIFY(at >= 0);
        command.arguments[at] = u"/bin/true"_s;
        const ScopedEnv pkexecUid("PKEXEC_UID", QByteArray::number(Invoker));
        const auto a = analyze(command, u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s);
        QVERIFY(a);
        QVERIFY(a->complete);
        QVERIFY(!a->checked);
        QVERIFY2(a->uncheckedReason.contains(u"privilege helper"_s), qPrintable(a->uncheckedReason));
        QVERIFY2(a->uncheckedReason.contains(u"refusing to run /bin/true"_s), qPrintable(a->uncheckedReason));
        QVERIFY(a->risk != RiskLevel::Low);
    }

    // Both forms of the check: today's and the AST one (`-d ast`), with and without --unsafe.
    void compileOnlyFormsAccepted_data()
    {
        QTest::addColumn<QStringList>("check");
        const QStringList elf { u"--emit-elf"_s, u"/dev/null"_s };
        QTest::newRow("emit-elf") << elf;
        QTest::newRow("emit-elf unsafe") << elf + QStringList { u"--unsafe"_s };
        QTest::newRow("ast") << QStringList { u"-d"_s, u"ast"_s } + elf;
        QTest::newRow("ast unsafe") << QStringList { u"-d"_s, u"ast"_s } + elf + QStringList { u"--unsafe"_s };
    }

    void compileOnlyFormsAccepted()
    {
        QFETCH(QStringList, check);
        QTemporaryDir dir;
        const QString marker = dir.filePath(u"ran"_s);
        const QString program = check.contains(u"--unsafe"_s) ? u"BEGIN { system(\"touch %1\"); exit(); }"_s.arg(marker)
                                                              : u"BEGIN { printf(\"x\\n\"); exit(); }"_s;
        const Outcome o = runHelper(QStringList { u"run"_s, m_bpftrace } + check << u"-e"_s << program, asPkexec());
        QVERIFY2(o.exitCode == 0, o.err.constData());
        if (check.contains(u"ast"_s))
            QVERIFY2(o.all().contains("AST after"), o.all().left(2000).constData());
        QVERIFY2(!QFile::exists(marker), "a compile-only check ran the program");
    }

    // ---- (b) what the helper refuses, elevated

    void refuses_data()
    {
        QTest::addColumn<QStringList>("arguments"); // after `run|run-unsafe BPFTRACE`, "%d" is a temp dir
        QTest::addColumn<QString>("verb");
        QTest::addColumn<QString>("message");
        const QString unsafeProgram = u"BEGIN { system(\"touch %d/ran\"); exit(); }"_s;
        QTest::newRow("--unsafe in a real run") << QStringList { u"-f"_s, u"json"_s, u"--unsafe"_s, u"-e"_s,
            unsafeProgram } << u"run"_s << u"without the person's approval"_s;
        QTest::newRow("--unsafe after a check elsewhere")
            << QStringList { u"--emit-elf"_s, u"%d/x.elf"_s, u"--unsafe"_s, u"-e"_s, unsafeProgram } << u"run"_s
            << u"--emit-elf writes only to /dev/null"_s;
        // clang runs as root even for the compile check: nothing of a root-only file may reach it.
        const QStringList check { u"-d"_s, u"ast"_s, u"--emit-elf"_s, u"/dev/null"_s, u"-e"_s };
        QTest::newRow("#embed in a check")
            << check + QStringList { u"enum { A =\n#embed \"/etc/shadow\" limit(1)\n};\nBEGIN { exit(); }"_s }
            << u"run"_s << u"#embed is not allowed"_s;
        QTest::newRow("#em\\bed spliced")
            << check + QStringList { u"enum { A =\n /* x */ #em\\\nbed \"/etc/shadow\"\n};\nBEGIN { exit(); }"_s }
            << u"run"_s << u"#embed is not allowed"_s;
        QTest::newRow("#include by path") << check + QStringList { u"#include \"/etc/shadow\"\nBEGIN { exit(); }"_s }
                                          << u"run"_s << u"system header"_s;
        QTest::newRow("#include <../>") << check + QStringList { u"#include <../../etc/shadow>\nBEGIN { exit(); }"_s }
                                        << u"run"_s << u"outside the system headers"_s;
        QTest::newRow("__has_include") << check
                + QStringList { u"#if __has_include(\"/root/x\")\n#error y\n#endif\nBEGIN { exit(); }"_s }
                                       << u"run"_s << u"__has_include"_s;
        QTest::newRow("--emit-elf to a file")
            << QStringList { u"--emit-elf"_s, u"%d/x.elf"_s, u"-e"_s, u"BEGIN { exit(); }"_s } << u"run"_s
            << u"--emit-elf writes only to /dev/null"_s;
        QTest::newRow("-o writes a file as root") << QStringList { u"-o"_s, u"%d/out"_s, u"-e"_s,
            u"BEGIN { exit(); }"_s } << u"run"_s << u"refusing bpftrace argument \"-o\""_s;
        QTest::newRow("-c runs a command as root") << QStringList { u"-c"_s, u"/bin/touch %d/ran"_s, u"-e"_s,
            u"BEGIN { exit(); }"_s } << u"run"_s << u"refusing bpftrace argument \"-c\""_s;
        QTest::newRow("--dry-run attaches") << QStringList { u"--dry-run"_s, u"-e"_s, u"BEGIN { exit(); }"_s }
                                            << u"run"_s << u"refusing bpftrace argument"_s;
        QTest::newRow("-d ast without --emit-elf")
            << QStringList { u"-d"_s, u"ast"_s, u"-e"_s, u"BEGIN { exit(); }"_s } << u"run"_s << u"-d ast only"_s;
        QTest::newRow("-d other stage") << QStringList { u"-d"_s, u"all"_s, u"--emit-elf"_s, u"/dev/null"_s, u"-e"_s,
            u"BEGIN { exit(); }"_s } << u"run"_s
                                        << u"-d takes only ast"_s;
        QTest::newRow("run-unsafe for a check")
            << QStringList { u"--emit-elf"_s, u"/dev/null"_s, u"--unsafe"_s, u"-e"_s, unsafeProgram } << u"run-unsafe"_s
            << u"run-unsafe is only for a run with --unsafe"_s;
        QTest::newRow("run-unsafe without --unsafe")
            << QStringList { u"-e"_s, u"BEGIN { exit(); }"_s } << u"run-unsafe"_s << u"run-unsafe is only"_s;
        QTest::newRow("no verb (the old form)")
            << QStringList { u"-e"_s, u"BEGIN { exit(); }"_s } << QString() << u"usage"_s;
        QTest::newRow("relative program file") << QStringList { u"prog.bt"_s } << u"run"_s << u"refusing"_s;
        QTest::newRow("program file owned by root")
            << QStringList { u"%d/root.bt"_s } << u"run"_s << u"not owned by the invoking user"_s;
        QTest::newRow("symlink to the invoker's file") << QStringList { u"%d/link.bt"_s } << u"run"_s << u"a symlink"_s;
        QTest::newRow("listing a root-only file by absolute path")
            << QStringList { u"-l"_s, u"%d/secret"_s } << u"run"_s << u"not owned by the invoking user"_s;
        QTest::newRow("pattern without a probe type")
            << QStringList { u"-l"_s, u"secret"_s } << u"run"_s << u"neither a probe pattern"_s;
        QTest::newRow("pattern naming a path")
            << QStringList { u"-l"_s, u"sub/x:y"_s } << u"run"_s << u"neither a probe pattern"_s;
        QTest::newRow("two positional arguments")
            << QStringList { u"-l"_s, u"tracepoint:a:b"_s, u"tracepoint:c:d"_s } << u"run"_s << u"at most one"_s;
        QTest::newRow("positional parameter after -e")
            << QStringList { u"-e"_s, u"BEGIN { exit(); }"_s, u"%d/secret"_s } << u"run"_s << u"after -e"_s;
    }

    void refuses()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, verb);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);
        const QByteArray secret = "root-only-secret-4711";
        QVERIFY(writeFile(dir.filePath(u"secret"_s), secret, 0, 0600));
        QVERIFY(writeFile(dir.filePath(u"prog.bt"_s), "BEGIN { exit(); }", Invoker, 0644));
        QVERIFY(writeFile(dir.filePath(u"root.bt"_s), "BEGIN { exit(); }", 0, 0644));
        QVERIFY(QFile::link(dir.filePath(u"prog.bt"_s), dir.filePath(u"link.bt"_s)));
        for (QString &a : arguments)
            a.replace(u"%d"_s, dir.path());
        QStringList all;
        if (!verb.isEmpty())
            all << verb;
        all << m_bpftrace << arguments;
        const Outcome o = runHelper(all, asPkexec(), dir.path());
        QCOMPARE(o.exitCode, 64);
        QVERIFY2(QString::fromUtf8(o.err).contains(message), o.err.constData());
        QVERIFY2(o.err.startsWith("tracedesk-helper: "), o.err.constData()); // the helper said no, not bpftrace
        QVERIFY(o.out.isEmpty());
        QVERIFY(!o.all().contains(secret));
        QVERIFY2(!QFile::exists(dir.filePath(u"ran"_s)), "something ran");
        QVERIFY(!QFile::exists(dir.filePath(u"out"_s)));
        QVERIFY(!QFile::exists(dir.filePath(u"x.elf"_s)));
    }

    // The old leak: bpftrace opens a positional argument as a program file whenever a file of that
    // name exists, relative to the working directory, and quotes it in its syntax error. A name
    // that looks like a probe pattern must not reach a root-only file in the caller's directory.
    void patternNeverReadsAFileInTheCallersDirectory()
    {
        QTemporaryDir dir;
        QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);
        const QByteArray secret = "root-only-secret-0815";
        QVERIFY(writeFile(dir.filePath(u"tracepoint:leak"_s), secret + "\n", 0, 0600));
        const Outcome o = runHelper({ u"run"_s, m_bpftrace, u"-l"_s, u"tracepoint:leak"_s }, asPkexec(), dir.path());
        QVERIFY2(o.exitCode != 64, o.err.constData()); // a pattern: the helper passed it to bpftrace
        QVERIFY2(!o.all().contains(secret), o.all().constData());
    }

    // ---- what it still does, elevated

    void ownProgramFileRunsAsDevFd()
    {
        QTemporaryDir dir;
        QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);
        const QString program = dir.filePath(u"prog.bt"_s);
        QVERIFY(writeFile(program, "BEGIN { printf(\"from-the-file\\n\"); exit(); }\n", Invoker, 0644));
        const Outcome o = runHelper({ u"run"_s, m_bpftrace, program }, asPkexec());
        QVERIFY2(o.exitCode == 0, o.err.constData());
        QVERIFY2(o.out.contains("from-the-file"), o.out.constData());
    }

    void probeQueriesStillWork()
    {
        const Outcome list
            = runHelper({ u"run"_s, m_bpftrace, u"-l"_s, u"tracepoint:syscalls:sys_enter_openat"_s }, asPkexec());
        QVERIFY2(list.exitCode == 0, list.err.constData());
        QVERIFY(list.out.contains("tracepoint:syscalls:sys_enter_openat"));
        const Outcome describe
            = runHelper({ u"run"_s, m_bpftrace, u"-lv"_s, u"tracepoint:syscalls:sys_enter_openat"_s }, asPkexec());
        QVERIFY2(describe.exitCode == 0, describe.err.constData());
        QVERIFY(describe.out.contains("filename"));
        const Outcome listProgram = runHelper(
            { u"run"_s, m_bpftrace, u"-l"_s, u"-e"_s, u"tracepoint:syscalls:sys_enter_open* { }"_s }, asPkexec());
        QVERIFY2(listProgram.exitCode == 0, listProgram.err.constData());
        QVERIFY(listProgram.out.contains("tracepoint:syscalls:sys_enter_openat"));
    }

    // ---- the unsafe approval path

    // Under pkexec, `run-unsafe` only ever reaches the helper after polkit asked the administrator
    // (org.tracedesk.TraceDesk.run-unsafe, auth_admin): then --unsafe runs.
    void unsafeRunApprovedThroughPkexec()
    {
        QTemporaryDir dir;
        const QString marker = dir.filePath(u"ran"_s);
        const QStringList args { u"-f"_s, u"json"_s, u"--unsafe"_s, u"-e"_s,
            u"BEGIN { system(\"touch %1\"); exit(); }"_s.arg(marker) };
        const LaunchCommand viaPkexec = privilege(PrivilegeMode::Pkexec).wrap(args);
        QCOMPARE(viaPkexec.arguments.value(1), Privilege::HelperRunUnsafe);
        const Outcome o = runHelper(viaPkexec.arguments.mid(1), asPkexec(), {}, viaPkexec.arguments.first());
        QVERIFY2(o.exitCode == 0, o.err.constData());
        QTRY_VERIFY(QFile::exists(marker));
    }

    // Under sudo nothing asks anyone per run: --unsafe runs are refused, naming pkexec. Through the
    // real sudo when it is installed, else with the variables sudo always sets.
    void unsafeRunRefusedUnderSudo_data()
    {
        QTest::addColumn<bool>("realSudo");
        QTest::newRow("sudo -n") << true;
        QTest::newRow("sudo's environment") << false;
    }

    void unsafeRunRefusedUnderSudo()
    {
        QFETCH(bool, realSudo);
        if (realSudo && m_sudo.isEmpty())
            QSKIP("sudo is not installed here (tools/dev's build root has it)");
        QTemporaryDir dir;
        const QString marker = dir.filePath(u"ran"_s);
        const QStringList args { u"-f"_s, u"json"_s, u"--unsafe"_s, u"-e"_s,
            u"BEGIN { system(\"touch %1\"); exit(); }"_s.arg(marker) };
        const LaunchCommand viaSudo = privilege(PrivilegeMode::Sudo).wrap(args);
        const Outcome o = realSudo ? runHelper(viaSudo.arguments, {}, {}, viaSudo.program)
                                   : runHelper(viaSudo.arguments.mid(3),
                                         { { u"SUDO_UID"_s, QString::number(Invoker) }, { u"SUDO_USER"_s, u"nobody"_s },
                                             { u"SUDO_COMMAND"_s, helperBinary() } });
        QCOMPARE(o.exitCode, 64);
        QVERIFY2(o.err.contains("refusing --unsafe under sudo") && o.err.contains("pkexec"), o.err.constData());
        // Even with the pkexec marker set by hand: sudo may pass variables on.
        const Outcome faked = runHelper(viaSudo.arguments.mid(3),
            { { u"SUDO_UID"_s, QString::number(Invoker) }, { u"PKEXEC_UID"_s, QString::number(Invoker) } });
        QCOMPARE(faked.exitCode, 64);
        QTest::qWait(200);
        QVERIFY(!QFile::exists(marker));
    }
};

QTEST_GUILESS_MAIN(TestRealHelper)
#include "tst_realhelper.moc"
