// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/capabilities.h"
#include "engine/privilege.h"

#include <QFile>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString dataDir()
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data");
}

QString readData(const QString &name)
{
    QFile f(dataDir() + u'/' + name);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

Privilege fakePrivilege(const QString &bpftrace)
{
    Privilege::Environment env;
    env.isRoot = true;
    env.bpftracePath = bpftrace;
    return Privilege(PrivilegeMode::Direct, env);
}

} // namespace

class TestCapabilities : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseRealInfo();
    void parseDamagedInfo_data();
    void parseDamagedInfo();
    void parseVersion_data();
    void parseVersion();
    void compareVersions_data();
    void compareVersions();
    void builtinsTable();
    void builtinsByVersion();
    void refreshWithFake();
    void refreshWithoutBpftrace();
    void refreshWhenVersionFails();
};

void TestCapabilities::parseRealInfo()
{
    const QString info = readData(u"bpftrace-info-0.23.2.txt"_s);
    const QString version = readData(u"bpftrace-version-0.23.2.txt"_s);
    QVERIFY(!info.isEmpty() && !version.isEmpty());
    const BpfInfo parsed = BpfInfo::parse(info, version);
    QCOMPARE(parsed.version, u"0.23.2"_s);
    QCOMPARE(parsed.kernelRelease, u"6.18.44-fc-v782"_s);
    QCOMPARE(parsed.system.value(u"Arch"_s), u"x86_64"_s);
    QCOMPARE(parsed.system.value(u"OS"_s), u"Linux 6.18.44-fc-v782 #1 SMP PREEMPT_DYNAMIC @0"_s);
    QCOMPARE(parsed.build.value(u"version"_s), u"v0.23.2"_s);
    QCOMPARE(parsed.build.value(u"LLVM"_s), u"19.1.7"_s);
    QCOMPARE(parsed.build.value(u"liblldb (DWARF support)"_s), u"no"_s);
    // Both columns of the two-column sections.
    QCOMPARE(parsed.helpers.size(), 18);
    QCOMPARE(parsed.helpers.value(u"probe_read"_s), true);
    QCOMPARE(parsed.helpers.value(u"probe_read_str"_s), true);
    QCOMPARE(parsed.helpers.value(u"send_signal"_s), true);
    QCOMPARE(parsed.helpers.value(u"override_return"_s, true), false);
    QCOMPARE(parsed.helpers.value(u"lookup_percpu_elem"_s), true);
    QCOMPARE(parsed.features.value(u"btf"_s), true);
    QCOMPARE(parsed.features.value(u"Kernel DWARF"_s, true), false);
    QCOMPARE(parsed.features.value(u"uprobe refcount"_s), true);
    QVERIFY(!parsed.features.contains(u"Instruction limit"_s));
    QCOMPARE(parsed.values.value(u"Instruction limit"_s), u"1000000"_s);
    QCOMPARE(parsed.mapTypes.size(), 6);
    QCOMPARE(parsed.mapTypes.value(u"ringbuf"_s), true);
    QCOMPARE(parsed.probeTypes.value(u"kprobe"_s), true);
    QCOMPARE(parsed.probeTypes.value(u"fentry"_s, true), false);
    QCOMPARE(parsed.probeTypes.value(u"uprobe_multi"_s), true);
    QCOMPARE(parsed.probeTypes.size(), 7);
    QVERIFY(!parsed.isEmpty());

    const QJsonObject json = parsed.toJson();
    QCOMPARE(json.value(u"version"_s).toString(), u"0.23.2"_s);
    QCOMPARE(json.value(u"kernelHelpers"_s).toObject().value(u"override_return"_s).toBool(true), false);
    QCOMPARE(json.value(u"mapTypes"_s).toObject().size(), 6);
    QCOMPARE(json.value(u"probeTypes"_s).toObject().value(u"tracepoint"_s).toBool(), true);
}

void TestCapabilities::parseDamagedInfo_data()
{
    QTest::addColumn<QString>("info");
    QTest::addColumn<int>("helpers");
    QTest::newRow("empty") << QString() << 0;
    QTest::newRow("garbage") << u"\x01\x02 nothing: here\n::::\n  : :\n"_s << 0;
    QTest::newRow("partial (killed mid-output)") << u"Kernel helpers\n  probe_read: yes       probe_re"_s << 1;
    QTest::newRow("entries before any section are ignored") << u"  probe_read: yes\nKernel helpers\n  x: no\n"_s << 1;
    QTest::newRow("unknown section") << u"Future section\n  thing: yes\nKernel helpers\n  y: yes\n"_s << 1;
}

void TestCapabilities::parseDamagedInfo()
{
    QFETCH(QString, info);
    QFETCH(int, helpers);
    const BpfInfo parsed = BpfInfo::parse(info, u"bpftrace v0.23.2\n"_s);
    QCOMPARE(parsed.helpers.size(), helpers);
    QCOMPARE(parsed.version, u"0.23.2"_s);
}

void TestCapabilities::parseVersion_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("version");
    QTest::newRow("release") << u"bpftrace v0.23.2\n"_s << u"0.23.2"_s;
    QTest::newRow("two parts") << u"bpftrace v0.9"_s << u"0.9"_s;
    QTest::newRow("git build") << u"bpftrace v0.21.0-123-gdeadbeef"_s << u"0.21.0"_s;
    QTest::newRow("no v") << u"bpftrace 0.20.4"_s << u"0.20.4"_s;
    QTest::newRow("garbage") << u"command not found"_s << QString();
    QTest::newRow("empty") << QString() << QString();
}

void TestCapabilities::parseVersion()
{
    QFETCH(QString, text);
    QFETCH(QString, version);
    QCOMPARE(BpfInfo::parseVersion(text), version);
}

void TestCapabilities::compareVersions_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("result");
    QTest::newRow("less") << u"0.21"_s << u"0.23.2"_s << -1;
    QTest::newRow("greater") << u"0.23.2"_s << u"0.9.4"_s << 1;
    QTest::newRow("numeric not lexical") << u"0.9"_s << u"0.10"_s << -1;
    QTest::newRow("equal with missing zero") << u"0.23"_s << u"0.23.0"_s << 0;
    QTest::newRow("leading v") << u"v0.23.2"_s << u"0.23.2"_s << 0;
    QTest::newRow("suffix") << u"0.23-rc1"_s << u"0.23"_s << 0;
}

void TestCapabilities::compareVersions()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, result);
    QCOMPARE(BpfInfo::compareVersions(a, b), result);
    QCOMPARE(BpfInfo::compareVersions(b, a), -result);
}

void TestCapabilities::builtinsTable()
{
    const QList<BuiltinHelp> all = Capabilities::builtins();
    QVERIFY(all.size() >= 60);
    QSet<QString> names;
    QSet<QString> unsafe;
    for (const BuiltinHelp &b : all) {
        QVERIFY2(!names.contains(b.name), qPrintable(b.name));
        names.insert(b.name);
        QVERIFY(!b.signature.isEmpty());
        QVERIFY(!b.summary.isEmpty());
        QVERIFY2(b.summary.size() < 100, qPrintable(b.name)); // one line
        QVERIFY(!BpfInfo::parseVersion(b.since).isEmpty());
        QVERIFY((QStringList { u"variable"_s, u"function"_s, u"map-function"_s, u"probe"_s }).contains(b.kind));
        if (b.unsafe)
            unsafe.insert(b.name);
        const QJsonObject json = b.toJson();
        QCOMPARE(json.value(u"name"_s).toString(), b.name);
        QCOMPARE(json.value(u"unsafe"_s).toBool(), b.unsafe);
    }
    QCOMPARE(unsafe, (QSet<QString> { u"system"_s, u"signal"_s, u"override"_s }));
    for (const QString &expected : { u"printf"_s, u"comm"_s, u"pid"_s, u"kstack"_s, u"hist"_s, u"str"_s, u"cat"_s,
             u"args"_s, u"retval"_s, u"count"_s, u"tracepoint"_s })
        QVERIFY2(names.contains(expected), qPrintable(expected));
}

void TestCapabilities::builtinsByVersion()
{
    const QList<BuiltinHelp> all = Capabilities::builtins();
    const QList<BuiltinHelp> current = Capabilities::builtins(u"0.23.2"_s);
    QCOMPARE(current.size(), all.size());
    const QList<BuiltinHelp> old = Capabilities::builtins(u"0.15"_s);
    QVERIFY(old.size() < all.size());
    auto has = [](const QList<BuiltinHelp> &list, const QString &name) {
        return std::any_of(list.cbegin(), list.cend(), [&name](const BuiltinHelp &b) { return b.name == name; });
    };
    QVERIFY(has(old, u"printf"_s));
    QVERIFY(has(old, u"macaddr"_s)); // 0.15 itself
    QVERIFY(!has(old, u"strcontains"_s));
    QVERIFY(!has(old, u"offsetof"_s));
    for (const BuiltinHelp &b : old)
        QVERIFY(BpfInfo::compareVersions(b.since, u"0.15"_s) <= 0);
}

void TestCapabilities::refreshWithFake()
{
    qputenv("FAKE_BPFTRACE_DATA", dataDir().toLocal8Bit());
    qputenv("FAKE_BPFTRACE_MODE", "ok");
    Capabilities caps;
    caps.setPrivilege(fakePrivilege(dataDir() + u"/fake-bpftrace.sh"_s));
    QSignalSpy ready(&caps, &Capabilities::ready);
    QSignalSpy failed(&caps, &Capabilities::failed);
    caps.refresh();
    caps.refresh(); // a second call while running is folded into the first
    QVERIFY(!caps.isReady());
    QVERIFY(ready.wait(10000));
    QTest::qWait(50);
    QCOMPARE(ready.size(), 1);
    QCOMPARE(failed.size(), 0);
    QVERIFY(caps.isReady());
    QCOMPARE(caps.info().version, u"0.23.2"_s);
    QCOMPARE(caps.info().helpers.value(u"probe_read"_s), true);
    QVERIFY(caps.errorString().isEmpty());
}

void TestCapabilities::refreshWithoutBpftrace()
{
    Capabilities caps;
    caps.setPrivilege(fakePrivilege(u"/nonexistent/bpftrace"_s));
    QSignalSpy failed(&caps, &Capabilities::failed);
    QSignalSpy ready(&caps, &Capabilities::ready);
    caps.refresh();
    QVERIFY(failed.wait(10000));
    QCOMPARE(ready.size(), 0);
    QVERIFY(!caps.isReady());
    QVERIFY(failed.first().first().toString().contains(u"cannot start bpftrace"_s));
}

void TestCapabilities::refreshWhenVersionFails()
{
    qputenv("FAKE_BPFTRACE_MODE", "crash");
    Capabilities caps;
    caps.setPrivilege(fakePrivilege(dataDir() + u"/fake-bpftrace.sh"_s));
    QSignalSpy failed(&caps, &Capabilities::failed);
    caps.refresh();
    QVERIFY(failed.wait(10000));
    QVERIFY(!caps.isReady());
    qputenv("FAKE_BPFTRACE_MODE", "ok");
}

QTEST_GUILESS_MAIN(TestCapabilities)
#include "tst_capabilities.moc"
