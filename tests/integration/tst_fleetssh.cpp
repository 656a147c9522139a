// SPDX-License-Identifier: GPL-2.0-or-later
// Targets over real SSH: three "hosts" made here as network namespaces, each with its own sshd
// (throw-away host keys, a client key and a known_hosts file written by the test, listening only
// on the namespace's end of a veth pair), and the real bpftrace run through TraceDesk's ssh
// transport. One host counts syscalls (Stop and a timeout keep the maps), one is refused (its
// sshd stopped: a reported failure, not a hang), one has a fake older bpftrace first on PATH
// (its version shows in the health). Everything is torn down, also when a check fails.
#include "engine/approvalqueue.h"
#include "engine/auditlog.h"
#include "engine/capabilities.h"
#include "engine/probecatalog.h"
#include "engine/results/fleetresults.h"
#include "engine/runmanager.h"
#include "engine/scriptanalyzer.h"
#include "engine/targets/targetregistry.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
struct Result
{
    bool ok = false;
    QByteArray out;
    QByteArray err;
};

Result runTool(const QString &program, const QStringList &args, int timeoutMs = 20000)
{
    QProcess p;
    p.start(program, args);
    Result r;
    if (!p.waitForStarted(5000))
        return r;
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        r.err = "timed out";
        return r;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.ok = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    return r;
}

bool writeFile(const QString &path, const QByteArray &text, QFileDevice::Permissions permissions = {})
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        return false;
    file.close();
    return permissions == QFileDevice::Permissions() || file.setPermissions(permissions);
}

const QString Script = u"tracepoint:raw_syscalls:sys_enter { @syscalls = count(); }"_s;
// A count and a histogram: what a fleet run merges, added up and bucket by bucket.
const QString FleetScript = u"tracepoint:raw_syscalls:sys_enter { @syscalls = count(); @ids = hist(args.id); }"_s;

qint64 histogramTotal(const MapResult *map)
{
    const Histogram *histogram = map ? map->value().histogram() : nullptr;
    return histogram ? histogram->totalCount() : -1;
}
} // namespace

class TestFleetSsh : public QObject
{
    Q_OBJECT
public:
    ~TestFleetSsh() override { tearDown(); }

private:
    struct Host
    {
        QString name; ///< target name: h1, h2, h3
        QString ns;
        QString vethHost;
        QString vethNs;
        QString address;
        QProcess *sshd = nullptr;
    };
    QTemporaryDir m_dir { QDir::tempPath() + u"/tdf-XXXXXX"_s }; // short: ControlPath is a socket path
    QString m_ip;
    QString m_sshd;
    QString m_bpftrace;
    QList<Host> m_hosts;
    bool m_tornDown = false;
    TargetRegistry *m_registry = nullptr;
    RunManager *m_runs = nullptr;

    Host *host(const QString &name)
    {
        for (Host &h : m_hosts) {
            if (h.name == name)
                return &h;
        }
        return nullptr;
    }

    bool ip(const QStringList &args, QByteArray *err = nullptr)
    {
        const Result r = runTool(m_ip, args);
        if (err)
            *err = r.err;
        if (!r.ok)
            qWarning() << "ip" << args << "failed:" << r.err;
        return r.ok;
    }

    // `ip -n` and `ip netns exec` also remount / and /sys, which a chroot refuses; entering only
    // the network namespace is all a host here needs.
    bool inNs(const Host &h, const QStringList &args, QByteArray *err = nullptr)
    {
        const Result r = runTool(u"nsenter"_s, QStringList { u"--net=/run/netns/"_s + h.ns, m_ip } + args);
        if (err)
            *err = r.err;
        if (!r.ok)
            qWarning() << "ip" << args << "failed:" << r.err;
        return r.ok;
    }

    bool startSshd(Host &h)
    {
        auto *sshd = new QProcess(this);
        sshd->setProcessChannelMode(QProcess::SeparateChannels);
        // No sshd outlives the test, whatever happens to it.
        sshd->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        sshd->start(u"nsenter"_s,
            { u"--net=/run/netns/"_s + h.ns, m_sshd, u"-D"_s, u"-e"_s, u"-f"_s, m_dir.path() + u"/sshd_"_s + h.name });
        h.sshd = sshd;
        if (!sshd->waitForStarted(5000))
            return false;
        QByteArray seen;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 10000 && sshd->state() == QProcess::Running) {
            sshd->waitForReadyRead(200);
            seen += sshd->readAllStandardError();
            if (seen.contains("Server listening on"))
                return true;
        }
        qWarning() << "sshd of" << h.name << "did not start:" << seen;
        return false;
    }

    void stopSshd(Host &h)
    {
        if (h.sshd) {
            h.sshd->kill();
            h.sshd->waitForFinished(3000);
            delete h.sshd;
            h.sshd = nullptr;
        }
        // The sessions sshd forked (the ControlMaster's) live on without it.
        const Result pids = runTool(m_ip, { u"netns"_s, u"pids"_s, h.ns });
        for (const QByteArray &line : pids.out.split('\n')) {
            bool ok = false;
            const int pid = line.trimmed().toInt(&ok);
            if (ok && pid > 1)
                ::kill(pid, SIGKILL);
        }
    }

    void tearDown()
    {
        if (std::exchange(m_tornDown, true))
            return;
        delete m_runs;
        m_runs = nullptr;
        delete m_registry;
        m_registry = nullptr;
        for (Host &h : m_hosts) {
            // The ControlMaster of this host, then everything left in the namespace.
            runTool(u"ssh"_s,
                { u"-F"_s, m_dir.path() + u"/ssh_config"_s, u"-o"_s, u"ControlPath="_s + m_dir.path() + u"/c/%C"_s,
                    u"-O"_s, u"exit"_s, u"root@"_s + h.address },
                5000);
            stopSshd(h);
            runTool(m_ip, { u"link"_s, u"del"_s, h.vethHost });
            runTool(m_ip, { u"netns"_s, u"del"_s, h.ns });
        }
        // `ip netns add` made /run/netns a shared mount; left so, it would make every later mount
        // in this mount namespace propagate (tst_realpolkit refuses to run then).
        if (QDir(u"/run/netns"_s).isEmpty())
            runTool(u"umount"_s, { u"/run/netns"_s }, 5000);
        // Nothing of ours is left behind on the "remote" side either.
        const Result left = runTool(u"pgrep"_s, { u"-f"_s, u"tracedesk-target"_s });
        if (!left.out.trimmed().isEmpty())
            qWarning() << "left behind:" << left.out;
    }

    bool waitHealth(const QString &name)
    {
        m_registry->checkHealth(name);
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 30000) {
            const TargetHealth::State s = m_registry->health(name).state;
            if (s != TargetHealth::State::Checking && s != TargetHealth::State::Unknown)
                return true;
            QTest::qWait(50);
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCOMPARE(::geteuid(), uid_t(0)); // network namespaces and sshd need root, as tools/dev gives
        m_ip = QStandardPaths::findExecutable(u"ip"_s, { u"/usr/sbin"_s, u"/sbin"_s, u"/usr/bin"_s });
        m_sshd = QStandardPaths::findExecutable(u"sshd"_s, { u"/usr/sbin"_s, u"/sbin"_s });
        m_bpftrace = QStandardPaths::findExecutable(u"bpftrace"_s);
        QVERIFY2(!m_ip.isEmpty() && !m_sshd.isEmpty() && !m_bpftrace.isEmpty(), "ip, sshd and bpftrace are needed");
        QVERIFY(!QStandardPaths::findExecutable(u"ssh"_s).isEmpty());
        // sshd's privilege separation directory; `ip netns` keeps its mounts under /run/netns.
        QVERIFY(QDir().mkpath(u"/run/sshd"_s));
        QVERIFY(QDir().mkpath(u"/run/netns"_s));

        const QString d = m_dir.path();
        QVERIFY(
            runTool(u"ssh-keygen"_s, { u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, d + u"/client"_s })
                .ok);
        QFile clientPub(d + u"/client.pub"_s);
        QVERIFY(clientPub.open(QIODevice::ReadOnly));
        QVERIFY(writeFile(d + u"/authorized_keys"_s, clientPub.readAll()));
        // Host 3's bpftrace is an older one: first on its PATH, it answers --version for itself.
        QVERIFY(QDir().mkpath(d + u"/old"_s));
        QVERIFY(writeFile(d + u"/old/bpftrace"_s,
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'bpftrace v0.20.4'; exit 0; fi\nexec "
                + m_bpftrace.toUtf8() + " \"$@\"\n",
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));

        const QString tag = QString::number(::getpid() % 100000);
        QByteArray knownHosts;
        for (int i = 1; i <= 3; ++i) {
            Host h;
            h.name = u"h%1"_s.arg(i);
            h.ns = u"tdfleet%1h%2"_s.arg(tag).arg(i);
            h.vethHost = u"tdf%1a%2"_s.arg(tag).arg(i);
            h.vethNs = u"tdf%1b%2"_s.arg(tag).arg(i);
            h.address = u"10.231.%1.2"_s.arg(i);
            m_hosts.append(h);
            Host &host = m_hosts.last();
            QByteArray err;
            QVERIFY2(ip({ u"netns"_s, u"add"_s, host.ns }, &err), err.constData());
            QVERIFY(inNs(host, { u"link"_s, u"set"_s, u"lo"_s, u"up"_s }));
            QVERIFY(ip({ u"link"_s, u"add"_s, host.vethHost, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, host.vethNs,
                u"netns"_s, host.ns }));
            QVERIFY(ip({ u"addr"_s, u"add"_s, u"10.231.%1.1/24"_s.arg(i), u"dev"_s, host.vethHost }));
            QVERIFY(ip({ u"link"_s, u"set"_s, host.vethHost, u"up"_s }));
            QVERIFY(inNs(host, { u"addr"_s, u"add"_s, host.address + u"/24"_s, u"dev"_s, host.vethNs }));
            QVERIFY(inNs(host, { u"link"_s, u"set"_s, host.vethNs, u"up"_s }));

            const QString key = d + u"/host_"_s + host.name;
            QVERIFY(runTool(u"ssh-keygen"_s, { u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, key }).ok);
            QFile pub(key + u".pub"_s);
            QVERIFY(pub.open(QIODevice::ReadOnly));
            knownHosts += host.address.toUtf8() + ' ' + pub.readAll().trimmed() + '\n';
            QByteArray config = "ListenAddress " + host.address.toUtf8() + ":22\nHostKey " + key.toUtf8() + "\nPidFile "
                + d.toUtf8() + "/sshd_" + host.name.toUtf8() + ".pid\nAuthorizedKeysFile " + d.toUtf8()
                + "/authorized_keys\nStrictModes no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                  "KbdInteractiveAuthentication no\nUsePAM no\nLogLevel INFO\nMaxSessions 20\nMaxStartups 20\n";
            if (host.name == "h3"_L1)
                config += "SetEnv PATH=" + d.toUtf8() + "/old:/usr/sbin:/usr/bin:/sbin:/bin\n";
            QVERIFY(writeFile(d + u"/sshd_"_s + host.name, config));
            QVERIFY(startSshd(host));
        }
        // Host keys are checked as ssh always does: against this known_hosts, never skipped.
        QVERIFY(writeFile(d + u"/known_hosts"_s, knownHosts));
        QVERIFY(writeFile(d + u"/ssh_config"_s,
            "Host *\n  User root\n  IdentityFile " + d.toUtf8() + "/client\n  IdentitiesOnly yes\n  UserKnownHostsFile "
                + d.toUtf8() + "/known_hosts\n  GlobalKnownHostsFile /dev/null\n  LogLevel ERROR\n"));

        m_registry = new TargetRegistry;
        TargetTransport::Options options;
        options.sshConfigFile = d + u"/ssh_config"_s;
        options.controlDirectory = d + u"/c"_s;
        m_registry->setOptions(options);
        m_registry->setCacheDirectory(d + u"/cache"_s);
        for (const Host &h : std::as_const(m_hosts)) {
            QString error;
            QVERIFY2(
                m_registry->addTarget(*Target::parseWithName(QString(h.name + u"=ssh://root@"_s + h.address)), &error),
                qPrintable(error));
        }
        m_runs = new RunManager;
        m_runs->setTargets(m_registry);
    }

    void cleanupTestCase() { tearDown(); }

    void healthOfEachHost()
    {
        const Result local = runTool(m_bpftrace, { u"--version"_s });
        const QString localVersion = BpfInfo::parseVersion(QString::fromUtf8(local.out));
        QVERIFY(!localVersion.isEmpty());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(waitHealth(u"h1"_s));
        const qint64 firstMs = clock.elapsed();
        clock.restart();
        QVERIFY(waitHealth(u"h1"_s));
        const qint64 reusedMs = clock.elapsed();
        // The second check rides the ControlMaster connection the first one opened.
        qInfo("health check over ssh: first (new connection) %lld ms, again (ControlMaster) %lld ms, ratio %.2f",
            firstMs, reusedMs, double(reusedMs) / double(std::max<qint64>(1, firstMs)));
        const TargetHealth h1 = m_registry->health(u"h1"_s);
        QVERIFY2(h1.state == TargetHealth::State::Ready, qPrintable(h1.summary()));
        QCOMPARE(h1.bpftraceVersion, localVersion);
        QCOMPARE(h1.uid, 0);
        QVERIFY(h1.privileged);
        QVERIFY(waitHealth(u"h3"_s));
        const TargetHealth h3 = m_registry->health(u"h3"_s);
        QVERIFY2(h3.state == TargetHealth::State::Ready, qPrintable(h3.summary()));
        QCOMPARE(h3.bpftraceVersion, u"0.20.4"_s);
        QVERIFY(waitHealth(u"h2"_s));
        QCOMPARE(m_registry->health(u"h2"_s).state, TargetHealth::State::Ready);
        // The control socket is private, in its 0700 directory.
        QCOMPARE(QFile::permissions(m_dir.path() + u"/c"_s) & 0x0077, QFileDevice::Permissions());
        QVERIFY(!QDir(m_dir.path() + u"/c"_s).entryList(QDir::System | QDir::NoDotAndDotDot).isEmpty());
    }

    void catalogAndAnalysisOnHost()
    {
        ProbeCatalog *catalog = m_registry->catalog(u"h1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(
            catalog->status() == ProbeCatalog::Status::Ready || catalog->status() == ProbeCatalog::Status::Failed,
            120000);
        QVERIFY2(catalog->status() == ProbeCatalog::Status::Ready, qPrintable(catalog->errorString()));
        QVERIFY(catalog->count() > 1000);
        const auto snapshot = catalog->snapshot();
        QVERIFY(std::binary_search(
            snapshot->probes.begin(), snapshot->probes.end(), u"tracepoint:raw_syscalls:sys_enter"_s));

        // Shared: a callback that comes after a failed wait must not write into a dead frame.
        auto analysis = std::make_shared<std::optional<ScriptAnalysis>>();
        m_registry->analyzer(u"h1"_s)->analyze(Script, this, [analysis](const ScriptAnalysis &a) { *analysis = a; });
        QTRY_VERIFY_WITH_TIMEOUT(analysis->has_value(), 60000);
        QVERIFY2((*analysis)->checked, qPrintable((*analysis)->uncheckedReason));
        QVERIFY(!(*analysis)->hasErrors());
        QCOMPARE((*analysis)->attachCount, 1);
        QVERIFY((*analysis)->fromAst);
        analysis->reset();
        m_registry->analyzer(u"h1"_s)->analyze(
            u"BEGIN { @x = nosuchfunction(); }"_s, this, [analysis](const ScriptAnalysis &a) { *analysis = a; });
        QTRY_VERIFY_WITH_TIMEOUT(analysis->has_value(), 60000);
        QVERIFY((*analysis)->checked);
        QVERIFY((*analysis)->hasErrors());
    }

    void countSyscallsStopKeepsMaps()
    {
        Run *run = m_runs->startPersonRun(Script, std::nullopt, u"h1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(run->attachedProbes() == 1 || isTerminal(run->state()), 30000);
        QVERIFY2(run->state() == RunState::Running, qPrintable(run->failureReason()));
        QTest::qWait(1000);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(m_runs->stop(run->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 20000);
        const qint64 remoteStopMs = clock.elapsed();
        QCOMPARE(run->state(), RunState::Stopped);
        QCOMPARE(run->exitCode(), 0); // SIGINT reached bpftrace: no SIGTERM or SIGKILL needed
        QVERIFY(run->maps().contains(u"@syscalls"_s));
        const QJsonObject maps = run->maps().toJson();
        QVERIFY2(QJsonDocument(maps).toJson().contains("@syscalls"), QJsonDocument(maps).toJson().constData());
        // Nothing escalated: the only stop line is the SIGINT one.
        bool escalated = false;
        for (const OutputLine &line : run->lines(0, 1000))
            escalated = escalated || line.text.contains(u"SIGTERM"_s) || line.text.contains(u"SIGKILL"_s);
        QVERIFY(!escalated);

        // The same on this machine, as the baseline for the stop time.
        RunManager local;
        local.setPrivilege(Privilege(PrivilegeMode::Direct, Privilege::Environment::detect(m_bpftrace, QString())));
        Run *baseline = local.startPersonRun(Script);
        QTRY_VERIFY_WITH_TIMEOUT(baseline->attachedProbes() == 1 || isTerminal(baseline->state()), 30000);
        QTest::qWait(1000);
        clock.restart();
        QVERIFY(local.stop(baseline->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(baseline->state()), 20000);
        const qint64 localStopMs = clock.elapsed();
        QCOMPARE(baseline->state(), RunState::Stopped);
        qInfo("stop to maps: over ssh %lld ms, local %lld ms, ratio %.2f", remoteStopMs, localStopMs,
            double(remoteStopMs) / double(std::max<qint64>(1, localStopMs)));
        // No bpftrace is left on the host.
        QTRY_VERIFY_WITH_TIMEOUT(runTool(u"pgrep"_s, { u"-f"_s, u"tracedesk-target"_s }).out.trimmed().isEmpty(), 5000);
    }

    void timeoutKeepsMaps()
    {
        Run *run = m_runs->startPersonRun(Script, 1, u"h1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 30000);
        QVERIFY2(run->state() == RunState::TimedOut, qPrintable(run->failureReason()));
        QVERIFY(run->maps().contains(u"@syscalls"_s));
    }

    void hostileScriptArrivesIntact()
    {
        // Quotes, command substitution, backticks and a newline inside bpftrace strings: the
        // remote shell must hand them to bpftrace untouched, and run none of them.
        const QString marker = m_dir.path() + u"/pwned"_s;
        const QString script
            = u"BEGIN {\n  printf(\"it's $(touch %1) `touch %1` \\\"q\\\" '\\\\' done\\n\");\n  exit();\n}"_s.arg(
                marker);
        Run *run = m_runs->startPersonRun(script, std::nullopt, u"h1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 30000);
        QVERIFY2(run->state() == RunState::Finished, qPrintable(run->failureReason()));
        const QString expected = u"it's $(touch %1) `touch %1` \"q\" '\\' done"_s.arg(marker);
        bool found = false;
        for (const OutputLine &line : run->lines(0, 1000))
            found = found || line.text == expected;
        QVERIFY2(found, qPrintable(expected));
        QVERIFY(!QFile::exists(marker));
    }

    void fleetRunMergesEveryHost()
    {
        Run *run = m_runs->startPersonRun(FleetScript, std::nullopt, QStringList { u"h1"_s, u"h2"_s, u"h3"_s });
        QVERIFY(run->isFleet());
        QCOMPARE(run->targets(), (QStringList { u"h1"_s, u"h2"_s, u"h3"_s }));
        // Each host attaches its one tracepoint.
        QTRY_VERIFY_WITH_TIMEOUT(run->attachedProbes() == 3 || isTerminal(run->state()), 60000);
        QVERIFY2(run->state() == RunState::Running, qPrintable(run->failureReason()));
        QTest::qWait(1000);
        QVERIFY(m_runs->stop(run->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 30000);
        QCOMPARE(run->state(), RunState::Stopped);
        // Stopping kept every host's maps, and the fleet's are their sums.
        qint64 syscalls = 0;
        qint64 histogramCount = 0;
        for (const Run *host : run->hostRuns()) {
            QVERIFY2(host->state() == RunState::Stopped, qPrintable(host->target() + u": "_s + host->failureReason()));
            const MapResult *count = host->maps().find(u"@syscalls"_s);
            QVERIFY2(count && count->value().integer() > 0, qPrintable(host->target()));
            syscalls += count->value().integer();
            QVERIFY(histogramTotal(host->maps().find(u"@ids"_s)) > 0);
            histogramCount += histogramTotal(host->maps().find(u"@ids"_s));
        }
        const FleetResults fleet = run->fleetResults();
        QCOMPARE(fleet.coverage(), u"3 of 3 hosts"_s);
        QVERIFY(fleet.conflicts().isEmpty());
        QCOMPARE(run->maps().find(u"@syscalls"_s)->value().integer(), syscalls);
        QCOMPARE(histogramTotal(run->maps().find(u"@ids"_s)), histogramCount);
        const MergedMap *merged = fleet.find(u"@ids"_s);
        QVERIFY(merged && merged->rule() == MergedMap::Rule::Histogram);
        QCOMPARE(merged->value().hosts.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const MapResult hostMap = merged->host(i);
            QCOMPARE(histogramTotal(&hostMap), histogramTotal(run->hostRuns().at(i)->maps().find(u"@ids"_s)));
        }
        // The fleet's output carries every host's lines, each marked with its host.
        QSet<QString> prefixes;
        for (const OutputLine &line : run->lines(0, 10000))
            prefixes.insert(line.text.section(u" | "_s, 0, 0));
        QVERIFY(prefixes.contains(u"h1"_s) && prefixes.contains(u"h2"_s) && prefixes.contains(u"h3"_s));
        QTRY_VERIFY_WITH_TIMEOUT(runTool(u"pgrep"_s, { u"-f"_s, u"tracedesk-target"_s }).out.trimmed().isEmpty(), 5000);
    }

    void fleetApprovalShowsEachTarget()
    {
        // A client's fleet request: each target's own bpftrace analyses it over its connection,
        // one decision covers exactly those targets, and the audit log names every one.
        AuditLog audit(m_dir.path() + u"/audit.jsonl"_s);
        ApprovalQueue approvals(&audit);
        ScriptAnalyzer local;
        approvals.setAnalyzer(&local);
        approvals.setTargets(m_registry);
        RunRequest request;
        request.script = FleetScript;
        request.reason = u"syscalls on two hosts"_s;
        request.client.sessionId = u"session-1"_s;
        request.targets = { u"h1"_s, u"h3"_s };
        QString error;
        Run *run = m_runs->submitClientRun(request, &error);
        QVERIFY2(run, qPrintable(error));
        QVERIFY(run->isFleet());
        approvals.enqueue(run);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 60000);
        for (const Run *host : run->hostRuns()) {
            QVERIFY2(host->analysis().checked, qPrintable(host->target() + host->analysis().uncheckedReason));
            QCOMPARE(host->analysis().attachCount, 1);
        }
        QCOMPARE(run->analysis().attachCount, 2); // over both targets
        QVERIFY(run->analysis().checked);
        QVERIFY(approvals.approve(run->id(), &error));
        const QList<QJsonObject> entries = audit.readAll();
        QVERIFY(!entries.isEmpty());
        const QJsonArray targets = entries.constLast().value(u"targets"_s).toArray();
        QCOMPARE(targets.size(), 2);
        QCOMPARE(targets.at(0).toObject().value(u"target"_s).toString(), u"h1"_s);
        QCOMPARE(targets.at(1).toObject().value(u"targetUri"_s).toString(), u"ssh://root@"_s + host(u"h3"_s)->address);
        QCOMPARE(targets.at(1).toObject().value(u"attachCount"_s).toInt(), 1);
        // Approved, it runs on both (launchApproved is what the Engine connects to approved()).
        m_runs->launchApproved(run);
        QTRY_VERIFY_WITH_TIMEOUT(run->attachedProbes() == 2 || isTerminal(run->state()), 60000);
        QVERIFY(m_runs->stop(run->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 30000);
        QCOMPARE(run->state(), RunState::Stopped);
        QCOMPARE(run->fleetResults().coverage(), u"2 of 2 hosts"_s);
    }

    void hostDroppedMidRunIsReported()
    {
        Run *run = m_runs->startPersonRun(FleetScript, std::nullopt, QStringList { u"h1"_s, u"h2"_s });
        QTRY_VERIFY_WITH_TIMEOUT(run->attachedProbes() == 2 || isTerminal(run->state()), 60000);
        QVERIFY2(run->state() == RunState::Running, qPrintable(run->failureReason()));
        // h2 dies: its sshd and everything running in it (the session, bpftrace) are killed.
        Host *h2 = host(u"h2"_s);
        stopSshd(*h2);
        Run *dropped = run->hostRun(u"h2"_s);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(dropped->state()), 30000);
        QCOMPARE(dropped->state(), RunState::Failed);
        // Said as what happened (the connection), not as if bpftrace had failed there.
        QVERIFY2(dropped->failureReason().contains(u"connection to the target was lost"_s),
            qPrintable(dropped->failureReason()));
        QVERIFY(!isTerminal(run->state())); // h1 goes on
        QVERIFY(m_runs->stop(run->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 30000);
        QCOMPARE(run->state(), RunState::Stopped);
        const FleetResults fleet = run->fleetResults();
        QCOMPARE(fleet.coverage(), u"1 of 2 hosts"_s);
        QCOMPARE(fleet.hosts().at(1).state, HostRunState::Failed);
        QVERIFY2(fleet.summary().contains(u"h2"_s), qPrintable(fleet.summary()));
        // The total is h1's alone, and says so.
        QCOMPARE(run->maps().find(u"@syscalls"_s)->value().integer(),
            run->hostRun(u"h1"_s)->maps().find(u"@syscalls"_s)->value().integer());
        qInfo("dropped host: %s", qPrintable(dropped->failureReason()));
    }

    void refusingHostIsReported()
    {
        Host *h2 = host(u"h2"_s);
        QVERIFY(h2);
        stopSshd(*h2);
        QElapsedTimer clock;
        clock.start();
        Run *run = m_runs->startPersonRun(Script, std::nullopt, u"h2"_s);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 30000);
        const qint64 failMs = clock.elapsed();
        QCOMPARE(run->state(), RunState::Failed);
        QVERIFY2(run->failureReason().contains(u"refused"_s), qPrintable(run->failureReason()));
        QVERIFY(failMs < 15000);
        qInfo("refused host reported after %lld ms", failMs);
        QVERIFY(waitHealth(u"h2"_s));
        const TargetHealth health = m_registry->health(u"h2"_s);
        QCOMPARE(health.state, TargetHealth::State::Unreachable);
        QVERIFY2(health.error.contains(u"refused"_s), qPrintable(health.error));
    }

    void fleetWithRefusingHostAndOlderBpftrace()
    {
        // h2 refuses connections (stopped above), h3 has an older bpftrace: the fleet runs where
        // it can, and the refusing host is named, never silently left out.
        Run *run = m_runs->startPersonRun(FleetScript, 2, QStringList { u"h1"_s, u"h2"_s, u"h3"_s });
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 60000);
        QVERIFY2(run->state() == RunState::TimedOut, qPrintable(run->failureReason()));
        const FleetResults fleet = run->fleetResults();
        QCOMPARE(fleet.coverage(), u"2 of 3 hosts"_s);
        QCOMPARE(fleet.hosts().at(1).state, HostRunState::Unreachable);
        QVERIFY2(fleet.hosts().at(1).message.contains(u"refused"_s), qPrintable(fleet.hosts().at(1).message));
        QVERIFY2(fleet.summary().contains(u"h2 unreachable"_s), qPrintable(fleet.summary()));
        QCOMPARE(fleet.hosts().at(2).state, HostRunState::Stopped);
        QCOMPARE(run->maps().find(u"@syscalls"_s)->value().integer(),
            run->hostRun(u"h1"_s)->maps().find(u"@syscalls"_s)->value().integer()
                + run->hostRun(u"h3"_s)->maps().find(u"@syscalls"_s)->value().integer());
    }
};

QTEST_GUILESS_MAIN(TestFleetSsh)
#include "tst_fleetssh.moc"
