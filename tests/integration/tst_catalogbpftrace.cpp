// SPDX-License-Identifier: GPL-2.0-or-later
// The catalog side of the engine against the real bpftrace: probe listing and arguments,
// capabilities, wildcard expansion and compile diagnostics without attaching, every example.
#include "engine/capabilities.h"
#include "engine/examplelibrary.h"
#include "engine/privilege.h"
#include "engine/probecatalog.h"
#include "engine/scriptanalyzer.h"

#include <QHash>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <unistd.h>

using namespace Qt::StringLiterals;

class TestCatalogBpftrace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void catalogListsOpenat();
    void describeOpenat();
    void capabilities();
    void analysisExpandsWildcard();
    void analysisReportsCompileError();
    void analysisOfUnsafeScript();
    void examplesCompile();

private:
    ScriptAnalysis analyze(const QString &script);
    QString m_bpftrace;
    Privilege m_privilege;
};

void TestCatalogBpftrace::initTestCase()
{
    m_bpftrace = QStandardPaths::findExecutable(u"bpftrace"_s);
    if (m_bpftrace.isEmpty())
        QSKIP("bpftrace is not installed");
    if (::geteuid() != 0)
        QSKIP("listing and compiling probes needs root (run inside tools/dev as root)");
    Privilege::Environment env;
    env.isRoot = true;
    env.bpftracePath = m_bpftrace;
    m_privilege = Privilege(PrivilegeMode::Direct, env);
}

void TestCatalogBpftrace::catalogListsOpenat()
{
    QTemporaryDir cache;
    ProbeCatalog catalog;
    catalog.setPrivilege(m_privilege);
    catalog.setCacheDirectory(cache.path());
    QSignalSpy loaded(&catalog, &ProbeCatalog::loaded);
    catalog.load(true);
    QVERIFY(loaded.wait(60000));
    QCOMPARE(catalog.status(), ProbeCatalog::Status::Ready);
    QVERIFY2(catalog.count() > 1000, qPrintable(QString::number(catalog.count())));
    ProbeQuery q;
    q.pattern = u"tracepoint:syscalls:sys_enter_openat"_s;
    const ProbeQueryResult exact = catalog.query(q);
    QVERIFY(exact.probes.contains(u"tracepoint:syscalls:sys_enter_openat"_s));
    q.pattern = u"tracepoint:syscalls:*open*"_s;
    const ProbeQueryResult glob = catalog.query(q);
    QVERIFY(glob.total >= 4);
    for (const QString &p : glob.probes)
        QVERIFY(p.startsWith(u"tracepoint:syscalls:"_s) && p.contains(u"open"_s));
    QVERIFY(catalog.snapshot()->providers.contains(u"tracepoint"_s));
    // The cache now answers a second catalog for this kernel and bpftrace.
    ProbeCatalog second;
    second.setPrivilege(m_privilege);
    second.setCacheDirectory(cache.path());
    QSignalSpy secondLoaded(&second, &ProbeCatalog::loaded);
    second.load();
    QVERIFY(secondLoaded.wait(30000));
    QCOMPARE(second.source(), u"cache"_s);
    QCOMPARE(second.count(), catalog.count());
}

void TestCatalogBpftrace::describeOpenat()
{
    ProbeCatalog catalog;
    catalog.setPrivilege(m_privilege);
    std::optional<ProbeDetails> details;
    catalog.describe(
        u"tracepoint:syscalls:sys_enter_openat"_s, this, [&details](const ProbeDetails &d) { details = d; });
    QTRY_VERIFY_WITH_TIMEOUT(details.has_value(), 30000);
    QVERIFY2(details->error.isEmpty(), qPrintable(details->error));
    QVERIFY(details->arguments.contains(ProbeArgument { u"const char *"_s, u"filename"_s }));
    QVERIFY(details->arguments.contains(ProbeArgument { u"int"_s, u"dfd"_s }));

    std::optional<ProbeDetails> missing;
    catalog.describe(
        u"tracepoint:syscalls:sys_enter_does_not_exist"_s, this, [&missing](const ProbeDetails &d) { missing = d; });
    QTRY_VERIFY_WITH_TIMEOUT(missing.has_value(), 30000);
    QVERIFY(!missing->error.isEmpty());
}

void TestCatalogBpftrace::capabilities()
{
    Capabilities caps;
    caps.setPrivilege(m_privilege);
    QSignalSpy ready(&caps, &Capabilities::ready);
    caps.refresh();
    QVERIFY(ready.wait(30000));
    const BpfInfo info = caps.info();
    QVERIFY2(BpfInfo::compareVersions(info.version, u"0.16"_s) >= 0, qPrintable(info.version));
    QVERIFY(!info.kernelRelease.isEmpty());
    QVERIFY(info.helpers.value(u"probe_read"_s));
    QVERIFY(info.probeTypes.value(u"tracepoint"_s));
    QVERIFY(!info.mapTypes.isEmpty());
    QVERIFY(!info.features.isEmpty());
    QVERIFY(!Capabilities::builtins(info.version).isEmpty());
}

ScriptAnalysis TestCatalogBpftrace::analyze(const QString &script)
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_bpftrace, {}, false });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(script, this, [&result](const ScriptAnalysis &a) { result = a; });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 60000))
        return {};
    return *result;
}

void TestCatalogBpftrace::analysisExpandsWildcard()
{
    const ScriptAnalysis a = analyze(u"tracepoint:syscalls:sys_enter_read* { @[probe] = count(); }"_s);
    QVERIFY(a.complete);
    QVERIFY(a.expanded);
    QVERIFY2(a.attachCount > 1, qPrintable(QString::number(a.attachCount)));
    QCOMPARE(a.attachList.size(), a.attachCount);
    QVERIFY(a.attachList.contains(u"tracepoint:syscalls:sys_enter_read"_s));
    QVERIFY(a.attachList.contains(u"tracepoint:syscalls:sys_enter_readv"_s));
    QVERIFY2(!a.hasErrors(), qPrintable(a.diagnostics.value(0).message));
    QCOMPARE(a.probeSpecs, QStringList { u"tracepoint:syscalls:sys_enter_read*"_s });
}

void TestCatalogBpftrace::analysisReportsCompileError()
{
    const ScriptAnalysis a = analyze(
        u"BEGIN { printf(\"start\\n\"); }\ntracepoint:syscalls:sys_enter_openat { @x = args.nosuchfield; }\n"_s);
    QVERIFY(a.complete);
    QVERIFY(a.hasErrors());
    const Diagnostic d = a.diagnostics.first();
    QCOMPARE(d.severity, Diagnostic::Severity::Error);
    QCOMPARE(d.line, 2);
    QVERIFY(d.column > 1);
    QVERIFY2(d.message.contains(u"nosuchfield"_s), qPrintable(d.message));

    const ScriptAnalysis syntax = analyze(u"BEGIN { printf(\"hi\\n\")\n  @x = ; }\n"_s);
    QVERIFY(syntax.hasErrors());
    QCOMPARE(syntax.diagnostics.first().line, 2);
}

void TestCatalogBpftrace::analysisOfUnsafeScript()
{
    const ScriptAnalysis a = analyze(u"BEGIN { system(\"true\"); exit(); }"_s);
    QVERIFY(a.complete);
    QVERIFY(a.needsUnsafe);
    QCOMPARE(a.risk, RiskLevel::High);
    // Compiled with --unsafe because the script needs it: no error about safe mode.
    QVERIFY2(!a.hasErrors(), qPrintable(a.diagnostics.value(0).message));
}

void TestCatalogBpftrace::examplesCompile()
{
    // One analysis per core: all at once would start dozens of LLVM-sized bpftrace processes,
    // and more compiles than cores only makes each one slower. Each compile still gets a long
    // timeout, since other tests may hold the cores too.
    const QList<Example> &examples = ExampleLibrary::all();
    QVERIFY(!examples.isEmpty());
    const int parallel = std::max(1, QThread::idealThreadCount());
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_bpftrace, {}, false });
    analyzer.setExpansionEnabled(false); // only the compile matters here
    analyzer.setTimeoutMs(120000);
    QHash<QString, ScriptAnalysis> results;
    qsizetype next = 0;
    int running = 0;
    std::function<void()> startMore = [&] {
        while (running < parallel && next < examples.size()) {
            const Example &e = examples.at(next++);
            ++running;
            analyzer.analyze(e.script, this, [&, name = e.name](const ScriptAnalysis &a) {
                results.insert(name, a);
                --running;
                startMore();
            });
        }
    };
    startMore();
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), examples.size(), 240000);
    for (const Example &e : examples) {
        const ScriptAnalysis a = results.value(e.name);
        // --emit-elf compiles through codegen without attaching; kprobe examples compile too when
        // kprobes are unavailable (bpftrace only warns that the function is not traceable).
        QVERIFY2(a.complete, qPrintable(e.name));
        QVERIFY2(!a.hasErrors(), qPrintable(e.name + u": "_s + a.diagnostics.value(0).message));
        QVERIFY2(!a.expanded, qPrintable(e.name));
    }
}

QTEST_GUILESS_MAIN(TestCatalogBpftrace)
#include "tst_catalogbpftrace.moc"
