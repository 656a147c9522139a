// SPDX-License-Identifier: GPL-2.0-or-later
// The built polkit policy in front of the real pkexec and the real polkitd: which action polkit
// picks for `tracedesk-helper run ...` and `tracedesk-helper run-unsafe ...`, shown rather than
// read from the XML (tst_polkitpolicy does that). Everything happens in a private mount namespace
// of this test: a tmpfs on /run holds a private system bus (/run/dbus/system_bus_socket), the
// policy (/run/polkit-1/actions) and a rules file (/run/polkit-1/rules.d) that lets the test user
// through for run-bpftrace only and logs every action it is asked about; a tmpfs on the policy's
// libexec directory holds the built helper at its exec.path. The bus and polkitd are children of
// the test and die with it. No system file is written (a libexec directory that is missing is
// made, and removed again). Needs root and the polkitd, pkexec and dbus-daemon packages
// (tools/dev's build root has them); skips with a reason otherwise.
#include "../engine/runtestutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
// The person who asks pkexec: not root, so polkit decides.
constexpr uid_t Invoker = 65534;

const QString RunAction = u"org.tracedesk.TraceDesk.run-bpftrace"_s;
const QString UnsafeAction = u"org.tracedesk.TraceDesk.run-unsafe"_s;
// What pkexec asks for when no action names the program (and its first argument).
const QString FallbackAction = u"org.freedesktop.policykit.exec"_s;
const QByteArray LogTag = "tst_realpolkit action=";

QString firstExecutable(const QStringList &paths)
{
    for (const QString &path : paths) {
        if (QFileInfo(path).isExecutable())
            return path;
    }
    return QString();
}

QString builtPolicy()
{
    return QStringLiteral(TRACEDESK_BINARY_DIR) + u"/app/org.tracedesk.TraceDesk.policy"_s;
}

bool writeFile(const QString &path, const QByteArray &data, mode_t mode)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size())
        return false;
    file.close();
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

bool mountTmpfs(const QString &where)
{
    return ::mount("tmpfs", QFile::encodeName(where).constData(), "tmpfs", MS_NOATIME, "mode=0755") == 0;
}

// Our mounts must not reach the namespace we came from: make every mount private. Where / is
// not a mount point (a chroot, as in tools/dev's build root) that call fails; then nothing in
// sight may be shared.
bool mountsArePrivate()
{
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0)
        return true;
    QFile info(u"/proc/self/mountinfo"_s);
    return info.open(QIODevice::ReadOnly) && !info.readAll().contains(" shared:");
}

// Children drop to `uid` and die with the test, so a crash leaves no bus or polkitd behind.
void asUserDyingWithParent(QProcess &process, uid_t uid, gid_t gid)
{
    const pid_t parent = ::getpid();
    process.setChildProcessModifier([uid, gid, parent] {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
            ::_exit(126);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(126);
    });
}

struct Outcome
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
} // namespace

class TestRealPolkit : public QObject
{
    Q_OBJECT

    QString m_pkexec;
    QString m_bpftrace;
    QString m_helper; // the policy's exec.path, where the built helper is put
    QString m_createdDir; // the first directory of the exec.path this test had to make, if any
    bool m_libexecMounted = false;
    bool m_runMounted = false;
    QProcess m_bus;
    QProcess m_polkitd;
    QByteArray m_log;

    QByteArray polkitdLog()
    {
        m_log += m_polkitd.readAll();
        return m_log;
    }

    // The actions the rules file was asked about for `command` since `from` in polkitd's log. By
    // the command line, so a late line of an earlier pkexec cannot count.
    QStringList actionsFor(const QStringList &command, qsizetype from)
    {
        const QByteArray tail = " command=" + command.join(u' ').toUtf8();
        QStringList actions;
        const QList<QByteArray> lines = polkitdLog().mid(from).split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype at = line.indexOf(LogTag);
            if (at >= 0 && line.endsWith(tail))
                actions << QString::fromUtf8(line.mid(at + LogTag.size()).split(' ').value(0));
        }
        return actions;
    }

    Outcome pkexecAsInvoker(const QStringList &arguments)
    {
        QProcess process;
        QProcessEnvironment env;
        env.insert(u"PATH"_s, u"/usr/sbin:/usr/bin:/sbin:/bin"_s);
        env.insert(u"LANG"_s, u"C.UTF-8"_s);
        process.setProcessEnvironment(env);
        process.setWorkingDirectory(u"/"_s);
        asUserDyingWithParent(process, Invoker, Invoker);
        process.start(m_pkexec, arguments);
        if (!process.waitForFinished(90000)) {
            process.kill();
            process.waitForFinished();
        }
        return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError() };
    }

    static bool waitForOutput(QProcess &process, QByteArray &seen, const QByteArray &what, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!seen.contains(what) && timer.elapsed() < timeoutMs && process.state() != QProcess::NotRunning) {
            process.waitForReadyRead(200);
            seen += process.readAll();
        }
        seen += process.readAll();
        return seen.contains(what);
    }

    static void stop(QProcess &process)
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.terminate();
        if (!process.waitForFinished(5000)) {
            process.kill();
            process.waitForFinished();
        }
    }

    void tearDown()
    {
        stop(m_polkitd);
        stop(m_bus);
        if (m_libexecMounted && ::umount2(QFile::encodeName(QFileInfo(m_helper).path()).constData(), MNT_DETACH) == 0)
            m_libexecMounted = false;
        if (m_runMounted && ::umount2("/run", MNT_DETACH) == 0)
            m_runMounted = false;
        if (!m_createdDir.isEmpty() && !m_libexecMounted) {
            // Only the empty directories this test made, deepest first.
            QString dir = QFileInfo(m_helper).path();
            while (dir.size() >= m_createdDir.size() && QDir().rmdir(dir))
                dir = QFileInfo(dir).path();
            m_createdDir.clear();
        }
    }

public:
    ~TestRealPolkit() override { tearDown(); }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("a private system bus and polkitd need root");
        m_pkexec = firstExecutable({ u"/usr/bin/pkexec"_s });
        const QString polkitd = firstExecutable(
            { u"/usr/lib/polkit-1/polkitd"_s, u"/usr/libexec/polkitd"_s, u"/usr/libexec/polkit-1/polkitd"_s });
        const QString daemon = firstExecutable({ u"/usr/bin/dbus-daemon"_s });
        m_bpftrace = firstExecutable({ u"/usr/bin/bpftrace"_s, u"/usr/sbin/bpftrace"_s, u"/usr/local/bin/bpftrace"_s });
        const passwd *polkitUser = ::getpwnam("polkitd");
        if (m_pkexec.isEmpty() || polkitd.isEmpty() || daemon.isEmpty() || !polkitUser)
            QSKIP("needs pkexec, polkitd and dbus-daemon (Debian: pkexec polkitd dbus-daemon; tools/dev's build root "
                  "has them)");
        if (m_bpftrace.isEmpty())
            QSKIP("no system bpftrace (/usr/bin/bpftrace) for the helper to run");
        const uid_t polkitUid = polkitUser->pw_uid;
        const gid_t polkitGid = polkitUser->pw_gid;
        const passwd *invoker = ::getpwuid(Invoker);
        QVERIFY2(invoker, "no user 65534 (nobody)");
        const QByteArray invokerName = invoker->pw_name;

        // The helper goes where the built policy says pkexec will find it.
        QFile policy(builtPolicy());
        QVERIFY2(policy.open(QIODevice::ReadOnly), qPrintable(builtPolicy()));
        const QByteArray policyXml = policy.readAll();
        const QRegularExpression execPath(u"\"org\\.freedesktop\\.policykit\\.exec\\.path\">([^<]+)<"_s);
        QSet<QString> paths;
        for (auto it = execPath.globalMatch(QString::fromUtf8(policyXml)); it.hasNext();)
            paths << it.next().captured(1);
        QCOMPARE(paths.size(), 1);
        m_helper = *paths.begin();
        QVERIFY2(QDir::isAbsolutePath(m_helper), qPrintable(m_helper));
        QVERIFY2(QFileInfo(helperBinary()).isExecutable(), qPrintable(helperBinary()));

        QVERIFY2(::unshare(CLONE_NEWNS) == 0, strerror(errno));
        QVERIFY2(mountsArePrivate(), "a shared mount: the test's mounts would leak out of its namespace");

        QVERIFY2(mountTmpfs(u"/run"_s), strerror(errno));
        m_runMounted = true;
        QDir run(u"/run"_s);
        QVERIFY(run.mkpath(u"dbus"_s) && run.mkpath(u"polkit-1/actions"_s) && run.mkpath(u"polkit-1/rules.d"_s));
        QVERIFY(writeFile(u"/run/polkit-1/actions/org.tracedesk.TraceDesk.policy"_s, policyXml, 0644));
        // The test user may do run-bpftrace and nothing else; the log line names each action asked.
        const QByteArray rules = "polkit.addRule(function(action, subject) {\n"
                                 "    if (subject.user != \""
            + invokerName
            + "\")\n"
              "        return polkit.Result.NOT_HANDLED;\n"
              "    polkit.log(\""
            + LogTag
            + "\" + action.id + \" command=\" + action.lookup(\"command_line\"));\n"
              "    return action.id == \""
            + RunAction.toUtf8()
            + "\" ? polkit.Result.YES : polkit.Result.NO;\n"
              "});\n";
        QVERIFY(writeFile(u"/run/polkit-1/rules.d/10-tst-realpolkit.rules"_s, rules, 0644));

        const QString libexec = QFileInfo(m_helper).path();
        for (QString dir = libexec; !QFileInfo::exists(dir); dir = QFileInfo(dir).path())
            m_createdDir = dir;
        QVERIFY(QDir().mkpath(libexec));
        QVERIFY2(mountTmpfs(libexec), strerror(errno));
        m_libexecMounted = true;
        QVERIFY(QFile::copy(helperBinary(), m_helper));
        QVERIFY(::chmod(QFile::encodeName(m_helper).constData(), 0755) == 0);

        // The system bus at its usual address, as root, with no service directories: nothing is
        // activated behind the test's back.
        QVERIFY(writeFile(u"/run/dbus/test-system.conf"_s,
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
            "<busconfig>\n"
            "  <type>system</type>\n"
            "  <listen>unix:path=/run/dbus/system_bus_socket</listen>\n"
            "  <auth>EXTERNAL</auth>\n"
            "  <policy context=\"default\">\n"
            "    <allow user=\"*\"/>\n"
            "    <allow own=\"*\"/>\n"
            "    <allow send_destination=\"*\"/>\n"
            "    <allow receive_sender=\"*\"/>\n"
            "  </policy>\n"
            "</busconfig>\n",
            0644));
        asUserDyingWithParent(m_bus, 0, 0);
        m_bus.setProcessChannelMode(QProcess::MergedChannels);
        m_bus.start(daemon,
            { u"--config-file=/run/dbus/test-system.conf"_s, u"--nofork"_s, u"--nopidfile"_s, u"--print-address"_s });
        QByteArray busOutput;
        QVERIFY2(
            waitForOutput(m_bus, busOutput, "unix:path=/run/dbus/system_bus_socket", 20000), busOutput.constData());

        asUserDyingWithParent(m_polkitd, polkitUid, polkitGid);
        m_polkitd.setProcessChannelMode(QProcess::MergedChannels);
        m_polkitd.start(polkitd, { u"--log-level=info"_s });
        QVERIFY2(
            waitForOutput(m_polkitd, m_log, "Acquired the name org.freedesktop.PolicyKit1", 30000), m_log.constData());
    }

    void cleanupTestCase() { tearDown(); }

    // polkitd itself read the built policy, with the defaults the README promises.
    void polkitdReadsThePolicy_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("argv1");
        QTest::addColumn<QString>("active");
        QTest::newRow("run-bpftrace") << RunAction << u"run"_s << u"auth_admin_keep"_s;
        QTest::newRow("run-unsafe") << UnsafeAction << u"run-unsafe"_s << u"auth_admin"_s;
    }

    void polkitdReadsThePolicy()
    {
        QFETCH(QString, action);
        QFETCH(QString, argv1);
        QFETCH(QString, active);
        const QString pkaction = firstExecutable({ u"/usr/bin/pkaction"_s });
        if (pkaction.isEmpty())
            QSKIP("no pkaction");
        QProcess process;
        process.start(pkaction, { u"--verbose"_s, u"--action-id"_s, action });
        QVERIFY(process.waitForFinished(30000));
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        QVERIFY2(process.exitCode() == 0, qPrintable(out + QString::fromUtf8(process.readAllStandardError())));
        QVERIFY2(QRegularExpression(u"implicit active:\\s+%1\\n"_s.arg(active)).match(out).hasMatch(), qPrintable(out));
        QVERIFY2(out.contains(u"org.freedesktop.policykit.exec.path -> %1\n"_s.arg(m_helper)), qPrintable(out));
        QVERIFY2(out.contains(u"org.freedesktop.policykit.exec.argv1 -> %1\n"_s.arg(argv1)), qPrintable(out));
    }

    // The real pkexec, started by the test user, picks the action by the helper's first argument;
    // polkit says yes only to run-bpftrace, so only `run` reaches the helper (as root).
    void pkexecPicksTheActionByTheVerb_data()
    {
        QTest::addColumn<QStringList>("arguments"); // after the helper; "@b" is bpftrace, "@d" a temp dir
        QTest::addColumn<QString>("action");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("output"); // in stdout + stderr
        const QString unsafeProgram = u"BEGIN { system(\"touch @d/ran\"); exit(); }"_s;
        QTest::newRow("run: a run") << QStringList { u"run"_s, u"@b"_s, u"-e"_s,
            u"BEGIN { printf(\"uid=%d allowed\\n\", uid); exit(); }"_s }
                                    << RunAction << 0 << u"uid=0 allowed"_s;
        QTest::newRow("run: the compile check") << QStringList { u"run"_s, u"@b"_s, u"-d"_s, u"ast"_s, u"--emit-elf"_s,
            u"/dev/null"_s, u"-e"_s, u"BEGIN { exit(); }"_s }
                                                << RunAction << 0 << u"AST after"_s;
        QTest::newRow("run-unsafe: refused by polkit")
            << QStringList { u"run-unsafe"_s, u"@b"_s, u"-f"_s, u"json"_s, u"--unsafe"_s, u"-e"_s, unsafeProgram }
            << UnsafeAction << 127 << u"Not authorized"_s;
        // polkit lets `run` through; the helper itself refuses --unsafe for it.
        QTest::newRow("run with --unsafe: refused by the helper")
            << QStringList { u"run"_s, u"@b"_s, u"-f"_s, u"json"_s, u"--unsafe"_s, u"-e"_s, unsafeProgram } << RunAction
            << 64 << u"without the person's approval"_s;
        // Another first argument matches none of our actions: pkexec's own, never the kept one.
        QTest::newRow("no verb: pkexec's default action")
            << QStringList { u"@b"_s, u"-e"_s, u"BEGIN { exit(); }"_s } << FallbackAction << 127 << u"Not authorized"_s;
    }

    void pkexecPicksTheActionByTheVerb()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, action);
        QFETCH(int, exitCode);
        QFETCH(QString, output);
        QTemporaryDir dir;
        for (QString &a : arguments)
            a.replace(u"@b"_s, m_bpftrace).replace(u"@d"_s, dir.path());

        const qsizetype from = polkitdLog().size();
        const QStringList command = QStringList { m_helper } + arguments;
        const Outcome o = pkexecAsInvoker(command);
        const QByteArray all = o.out + '\n' + o.err;
        QVERIFY2(o.exitCode == exitCode, all.constData());
        QVERIFY2(QString::fromUtf8(all).contains(output), all.constData());
        QTRY_VERIFY2_WITH_TIMEOUT(!actionsFor(command, from).isEmpty(), polkitdLog().mid(from).constData(), 10000);
        const QStringList asked = actionsFor(command, from);
        qInfo().noquote() << "pkexec" << arguments.value(0) << "...: polkit was asked for" << asked.join(u", "_s)
                          << "and pkexec exited" << o.exitCode;
        QVERIFY2(asked == QStringList(asked.size(), action), qPrintable(asked.join(u", "_s)));
        QVERIFY2(!QFile::exists(dir.filePath(u"ran"_s)), "the unsafe program ran");
    }
};

QTEST_GUILESS_MAIN(TestRealPolkit)
#include "tst_realpolkit.moc"
