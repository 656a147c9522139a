// SPDX-License-Identifier: GPL-2.0-or-later
// The registry of targets: configuration (settings, names, groups, refusal of the unknown),
// health through a transport, and a run on a Kubernetes target through a fake kubectl that runs
// the container command here: Stop reaches bpftrace as SIGINT through the stop wrapper, its maps
// are kept, and the debug pod kubectl named is deleted afterwards.
#include "engine/probecatalog.h"
#include "engine/queryprocess.h"
#include "engine/runmanager.h"
#include "engine/targets/targetregistry.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
bool writeExecutable(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        return false;
    file.close();
    return file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

// Perl, not sh: under the stop wrapper bpftrace starts as an asynchronous list, which POSIX sh
// starts with SIGINT ignored; a shell could not trap it again, but bpftrace (like perl here) sets
// its own handler, which overrides that.
const QByteArray FakeBpftrace = R"(#!/usr/bin/perl
$| = 1;
my $args = join(' ', @ARGV);
if ($args eq '--version') { print "bpftrace v0.20.1\n"; exit 0; }
if ($args eq '-l') { print "tracepoint:syscalls:sys_enter_openat\ntracepoint:syscalls:sys_enter_read\n"; exit 0; }
if ($args =~ /^-f json/) {
    $SIG{INT} = sub { print qq({"type": "map", "data": {"\@c": 42}}\n); exit 0; };
    print qq({"type": "attached_probes", "data": {"probes": 1}}\n);
    sleep 1 while 1;
}
exit 0;
)";

// Stands in for ssh: records its arguments and runs the last one as the remote login shell would.
const QByteArray FakeSsh = R"(#!/bin/sh
for a in "$@"; do last=$a; printf '%s\n' "$a"; done >> "$FAKE_LOG"
exec /bin/sh -c "$last"
)";

// Stands in for kubectl: records each call on one line; `debug` names its pod on stderr, as the real
// one does, then runs the container command after `--` here.
const QByteArray FakeKubectl = R"(#!/bin/sh
printf '%s ' "$@" | tr '\n' ' ' >> "$FAKE_LOG"; echo >> "$FAKE_LOG"
for a in "$@"; do if [ "$a" = delete ]; then exit 0; fi; done
echo "Creating debugging pod node-debugger-n1-abcde with container debugger on node n1." >&2
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do shift; done
shift
exec "$@"
)";
} // namespace

class TestTargetRegistry : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_log;

    TargetTransport::Options fakeOptions() const
    {
        TargetTransport::Options options;
        options.sshProgram = m_dir.path() + u"/ssh"_s;
        options.kubectlProgram = m_dir.path() + u"/kubectl"_s;
        options.controlDirectory = m_dir.path() + u"/ctl"_s;
        return options;
    }
    Target fakeTarget(const QString &uri) const
    {
        Target t = *Target::parse(uri);
        t.bpftracePath = m_dir.path() + u"/bpftrace"_s;
        t.privilege = RemotePrivilege::Login;
        return t;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(writeExecutable(m_dir.path() + u"/bpftrace"_s, FakeBpftrace));
        QVERIFY(writeExecutable(m_dir.path() + u"/ssh"_s, FakeSsh));
        QVERIFY(writeExecutable(m_dir.path() + u"/kubectl"_s, FakeKubectl));
        m_log = m_dir.path() + u"/log"_s;
        qputenv("FAKE_LOG", m_log.toLocal8Bit());
    }

    void init() { QFile::remove(m_log); }

    void localAlwaysThereAndDefault()
    {
        TargetRegistry registry;
        QCOMPARE(registry.names(), QStringList { u"local"_s });
        QCOMPARE(registry.resolve(QString()), u"local"_s);
        QCOMPARE(registry.resolve(u"local"_s), u"local"_s);
        QVERIFY(registry.transport(u"local"_s).isLocal());
        QVERIFY(registry.find(u"local"_s)->isLocal());
    }

    void onlyConfiguredTargets()
    {
        TargetRegistry registry;
        QString error;
        QVERIFY(registry.addTarget(*Target::parseWithName(u"db1=ssh://root@10.0.0.1"_s), &error));
        QVERIFY(registry.addTarget(*Target::parse(u"k8s://prod/n1"_s), &error));
        QCOMPARE(registry.names(), QStringList({ u"local"_s, u"db1"_s, u"prod/n1"_s }));
        // By name or by URI, nothing else.
        QCOMPARE(registry.resolve(u"db1"_s), u"db1"_s);
        QCOMPARE(registry.resolve(u"ssh://root@10.0.0.1"_s), u"db1"_s);
        QCOMPARE(registry.resolve(u"ssh://10.0.0.1"_s, &error), QString());
        QVERIFY2(error.contains(u"Unknown target 'ssh://10.0.0.1'"_s), qPrintable(error));
        QVERIFY2(error.contains(u"local, db1, prod/n1"_s), qPrintable(error));
        QCOMPARE(registry.resolve(u"evil\n-oProxyCommand=id"_s, &error), QString());
        QVERIFY(!error.contains(u'\n'));
        // The same name or URI for another target is refused; the identical one is a no-op.
        QVERIFY(!registry.addTarget(*Target::parseWithName(u"db1=ssh://root@10.0.0.9"_s), &error));
        QVERIFY(error.contains(u"configured already"_s));
        QVERIFY(!registry.addTarget(*Target::parseWithName(u"other=ssh://root@10.0.0.1"_s), &error));
        QVERIFY(registry.addTarget(*Target::parseWithName(u"db1=ssh://root@10.0.0.1"_s), &error));
        Target bad = *Target::parse(u"ssh://db2"_s);
        bad.host = u"-oProxyCommand=id"_s;
        QVERIFY(!registry.addTarget(bad, &error));
        QCOMPARE(registry.names().size(), 3);
        // Groups name configured targets only.
        QVERIFY(registry.setGroup(u"all"_s, { u"db1"_s, u"prod/n1"_s, u"db1"_s }, &error));
        QCOMPARE(registry.groups().value(u"all"_s), QStringList({ u"db1"_s, u"prod/n1"_s }));
        QVERIFY(!registry.setGroup(u"bad"_s, { u"db9"_s }, &error));
        QCOMPARE(registry.resolveList({ u"all"_s, u"local"_s, u"db1"_s }),
            QStringList({ u"db1"_s, u"prod/n1"_s, u"local"_s }));
        QCOMPARE(registry.resolveList({ u"all"_s, u"nope"_s }, &error), QStringList());
        // A name is a target or a group, never both, whichever came first.
        QVERIFY(!registry.setGroup(u"db1"_s, { u"prod/n1"_s }, &error));
        QVERIFY(!registry.addTarget(*Target::parseWithName(u"all=ssh://root@10.0.0.7"_s), &error));
        QVERIFY2(error.contains(u"'all' is the name of a group (db1, prod/n1)"_s), qPrintable(error));
        QCOMPARE(registry.names().size(), 3);
        // Each remote target has its own catalog, capabilities and analyzer.
        QVERIFY(registry.catalog(u"db1"_s) && registry.catalog(u"db1"_s) != registry.catalog(u"prod/n1"_s));
        QVERIFY(registry.analyzer(u"db1"_s) && registry.analyzer(u"db1"_s) != registry.analyzer(u"prod/n1"_s));
        QVERIFY(!registry.catalog(u"nope"_s));
        QVERIFY(registry.removeTarget(u"db1"_s));
        QCOMPARE(registry.groups().value(u"all"_s), QStringList { u"prod/n1"_s });
        QVERIFY(!registry.removeTarget(u"local"_s));
    }

    void readsSettings()
    {
        const QString path = m_dir.path() + u"/tracedesk.conf"_s;
        QFile::remove(path);
        {
            QSettings settings(path, QSettings::IniFormat);
            QList<Target> targets { *Target::parseWithName(u"db1=ssh://root@10.0.0.1:2222"_s),
                *Target::parse(u"k8s://prod/n1"_s) };
            targets[0].privilege = RemotePrivilege::Sudo;
            targets[1].image = u"registry.example/bpftrace:1"_s;
            TargetRegistry::writeTargets(settings, targets);
            settings.setValue(u"targets/3/uri"_s, u"ssh://-oProxyCommand=id"_s);
            settings.setValue(u"targets/4/uri"_s, u"ssh://db4"_s);
            settings.setValue(u"targets/4/privilege"_s, u"pretend"_s);
            settings.setValue(u"targets/size"_s, 4);
            settings.setValue(u"targetGroups/db"_s, QStringList { u"db1"_s, u"prod/n1"_s });
            settings.setValue(u"targetOptions/sshConfig"_s, u"/etc/x/ssh_config"_s);
        }
        QSettings settings(path, QSettings::IniFormat);
        QStringList errors;
        const QList<Target> read = TargetRegistry::readTargets(settings, &errors);
        QCOMPARE(read.size(), 2);
        QCOMPARE(read.at(0).name, u"db1"_s);
        QCOMPARE(read.at(0).port, 2222);
        QCOMPARE(read.at(0).privilege, RemotePrivilege::Sudo);
        QCOMPARE(read.at(1).image, u"registry.example/bpftrace:1"_s);
        QCOMPARE(errors.size(), 2);
        QVERIFY2(errors.at(0).contains(u"host name"_s), qPrintable(errors.at(0)));
        QVERIFY2(errors.at(1).contains(u"privilege"_s), qPrintable(errors.at(1)));
        QCOMPARE(TargetRegistry::readGroups(settings).value(u"db"_s), QStringList({ u"db1"_s, u"prod/n1"_s }));
        QCOMPARE(TargetRegistry::readOptions(settings).sshConfigFile, u"/etc/x/ssh_config"_s);
    }

    void healthThroughTransport()
    {
        TargetRegistry registry;
        registry.setOptions(fakeOptions());
        QVERIFY(registry.addTarget(fakeTarget(u"ssh://db1"_s)));
        Target missing = fakeTarget(u"ssh://db2"_s);
        missing.bpftracePath = m_dir.path() + u"/no-such-bpftrace"_s;
        QVERIFY(registry.addTarget(missing));
        QSignalSpy changed(&registry, &TargetRegistry::healthChanged);
        registry.checkHealth(u"db1"_s);
        registry.checkHealth(u"db2"_s);
        QCOMPARE(registry.health(u"db1"_s).state, TargetHealth::State::Checking);
        QTRY_VERIFY_WITH_TIMEOUT(registry.health(u"db1"_s).state != TargetHealth::State::Checking
                && registry.health(u"db2"_s).state != TargetHealth::State::Checking,
            10000);
        const TargetHealth h = registry.health(u"db1"_s);
        QCOMPARE(h.state, TargetHealth::State::Ready);
        QCOMPARE(h.bpftraceVersion, u"0.20.1"_s);
        QVERIFY(h.reachable);
        QCOMPARE(h.uid, 0); // tests run as root
        QVERIFY(h.summary().contains(u"bpftrace 0.20.1"_s));
        const TargetHealth m = registry.health(u"db2"_s);
        QCOMPARE(m.state, TargetHealth::State::Degraded);
        QVERIFY2(m.error.contains(u"not installed"_s), qPrintable(m.error));
        QVERIFY(changed.size() >= 4);
    }

    void unreachableHealth()
    {
        QueryResult result;
        result.started = true;
        result.exitCode = 255;
        result.err = "ssh: connect to host 10.0.0.2 port 22: Connection refused\n";
        const TargetHealth h = TargetHealth::parse(result, RemotePrivilege::Auto);
        QCOMPARE(h.state, TargetHealth::State::Unreachable);
        QVERIFY(!h.reachable);
        QVERIFY2(h.error.contains(u"Connection refused"_s), qPrintable(h.error));
        // Logged in, but neither root nor sudo: no privilege.
        result.exitCode = 0;
        result.out = "tracedesk-health=1\nuid=1000\nsudo=no\nversion=bpftrace v0.23.2\n";
        const TargetHealth user = TargetHealth::parse(result, RemotePrivilege::Auto);
        QCOMPARE(user.state, TargetHealth::State::Degraded);
        QVERIFY(!user.privileged);
        result.out = "tracedesk-health=1\nuid=1000\nsudo=yes\nversion=bpftrace v0.23.2\n";
        QCOMPARE(TargetHealth::parse(result, RemotePrivilege::Auto).state, TargetHealth::State::Ready);
        QCOMPARE(TargetHealth::parse(result, RemotePrivilege::Login).state, TargetHealth::State::Degraded);
        // Logged in, then `bpftrace --version` hung until the time limit: slow, not missing.
        result.out = "tracedesk-health=1\nuid=0\n";
        result.timedOut = true;
        result.crashed = true;
        const TargetHealth hung = TargetHealth::parse(result, RemotePrivilege::Auto);
        QCOMPARE(hung.state, TargetHealth::State::Degraded);
        QVERIFY(hung.reachable);
        QVERIFY(hung.timedOut);
        QCOMPARE(hung.error, u"bpftrace --version did not answer in time there"_s);
        result.out += "bpftrace=missing\n";
        QVERIFY2(TargetHealth::parse(result, RemotePrivilege::Auto).error.contains(u"not installed"_s),
            qPrintable(TargetHealth::parse(result, RemotePrivilege::Auto).error));
    }

    void catalogOnTarget()
    {
        TargetRegistry registry;
        registry.setOptions(fakeOptions());
        registry.setCacheDirectory(m_dir.path() + u"/cache"_s);
        QVERIFY(registry.addTarget(fakeTarget(u"ssh://db1"_s)));
        ProbeCatalog *catalog = registry.catalog(u"db1"_s);
        QTRY_COMPARE_WITH_TIMEOUT(catalog->status(), ProbeCatalog::Status::Ready, 10000);
        QCOMPARE(catalog->count(), 2);
        QVERIFY(catalog->cacheDirectory().endsWith(u"/cache/targets/db1"_s));
        // Both look-ups went through the target's ssh, to its own bpftrace.
        QFile log(m_log);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray calls = log.readAll();
        QVERIFY(calls.contains("BatchMode=yes"));
        QVERIFY(calls.contains("'--version'"));
        QVERIFY(calls.contains("'-l'"));
    }

    void runOnKubernetesStopsAndDeletesPod()
    {
        TargetRegistry registry;
        registry.setOptions(fakeOptions());
        QVERIFY(registry.addTarget(fakeTarget(u"k8s://ctx/n1"_s)));
        RunManager runs;
        runs.setTargets(&registry);
        RunLimits limits;
        limits.batchIntervalMs = 10;
        runs.setLimits(limits);
        Run *run
            = runs.startPersonRun(u"tracepoint:syscalls:sys_enter_read { @c = count(); }"_s, std::nullopt, u"ctx/n1"_s);
        QCOMPARE(run->target(), u"ctx/n1"_s);
        QTRY_COMPARE_WITH_TIMEOUT(run->attachedProbes(), 1, 10000);
        QVERIFY(runs.stop(run->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 10000);
        QCOMPARE(run->state(), RunState::Stopped);
        QCOMPARE(run->exitCode(), 0); // bpftrace took SIGINT: it did not need SIGTERM
        QVERIFY(run->maps().contains(u"@c"_s));
        QVERIFY(run->toJson(false).value(u"target"_s) == u"ctx/n1"_s);
        // kubectl was asked for the debug pod, then to delete the pod it named.
        QTRY_VERIFY_WITH_TIMEOUT(
            QFile(m_log).open(QIODevice::ReadOnly) &&
                [this] {
                    QFile f(m_log);
                    f.open(QIODevice::ReadOnly);
                    return f.readAll().contains(
                        "--context ctx delete pod node-debugger-n1-abcde --wait=false --ignore-not-found");
                }(),
            5000);
        QFile f(m_log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray calls = f.readAll();
        QVERIFY(calls.startsWith("--context ctx debug node/n1 --profile=sysadmin --image="));
    }

    void runOnUnknownTargetFails()
    {
        TargetRegistry registry;
        RunManager runs;
        runs.setTargets(&registry);
        Run *run = runs.startPersonRun(u"BEGIN { exit(); }"_s, std::nullopt, u"db9"_s);
        QCOMPARE(run->state(), RunState::Failed);
        QVERIFY2(run->failureReason().contains(u"Unknown target 'db9'"_s), qPrintable(run->failureReason()));
    }
};

QTEST_GUILESS_MAIN(TestTargetRegistry)
#include "tst_targetregistry.moc"
