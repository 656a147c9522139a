// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/capabilities.h"
#include "engine/examplelibrary.h"
#include "engine/scriptanalyzer.h"

#include <QDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestExampleLibrary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allExamples();
    void everyFileIsCompiledIn();
    void examplesAreRatedAndWellFormed();
    void find();
    void parse_data();
    void parse();
};

void TestExampleLibrary::allExamples()
{
    const QList<Example> &all = ExampleLibrary::all();
    QVERIFY2(all.size() >= 18, qPrintable(QString::number(all.size())));
    const QStringList categories { u"syscalls"_s, u"files"_s, u"disk"_s, u"scheduler"_s, u"cpu"_s, u"network"_s,
        u"memory"_s, u"processes"_s };
    QStringList names;
    for (const Example &e : all) {
        QVERIFY(!e.title.isEmpty());
        QVERIFY2(e.description.size() > 30, qPrintable(e.name));
        QVERIFY2(categories.contains(e.category), qPrintable(e.name + u": "_s + e.category));
        QVERIFY2(BpfInfo::compareVersions(e.minVersion, u"0.23.2"_s) <= 0, qPrintable(e.name));
        QVERIFY(!BpfInfo::parseVersion(e.minVersion).isEmpty());
        QVERIFY(e.script.contains(u"// title: "_s));
        names.append(e.name);
    }
    QStringList sorted = names;
    sorted.sort();
    QCOMPARE(names, sorted);
    // Every area the issue names is covered.
    for (const QString &needed : { u"syscall-count"_s, u"file-opens"_s, u"block-io-latency"_s, u"runqueue-latency"_s,
             u"tcp-connects"_s, u"tcp-retransmits"_s, u"exec-args"_s, u"page-faults"_s, u"off-cpu-time"_s })
        QVERIFY2(names.contains(needed), qPrintable(needed));
}

void TestExampleLibrary::everyFileIsCompiledIn()
{
    const QStringList onDisk = QDir(QStringLiteral(TRACEDESK_SOURCE_DIR "/resources/examples"))
                                   .entryList({ u"*.bt"_s }, QDir::Files, QDir::Name);
    QCOMPARE(ExampleLibrary::all().size(), onDisk.size());
}

void TestExampleLibrary::examplesAreRatedAndWellFormed()
{
    for (const Example &e : ExampleLibrary::all()) {
        const ScriptAnalysis a = ScriptAnalyzer::analyzeText(e.script);
        QVERIFY2(!a.hasErrors(), qPrintable(e.name));
        QVERIFY2(!a.probeSpecs.isEmpty(), qPrintable(e.name));
        QVERIFY2(!a.needsUnsafe, qPrintable(e.name));
        // Capturing every command line is high risk by design (arguments carry secrets); every
        // other example counts, times or names things and must not cry wolf.
        if (e.name == u"exec-args"_s)
            QCOMPARE(a.risk, RiskLevel::High);
        else
            QVERIFY2(a.risk != RiskLevel::High, qPrintable(e.name));
    }
}

void TestExampleLibrary::find()
{
    const auto e = ExampleLibrary::find(u"syscall-count"_s);
    QVERIFY(e);
    QCOMPARE(e->title, u"Count system calls by process"_s);
    QCOMPARE(e->category, u"syscalls"_s);
    QVERIFY(!ExampleLibrary::find(u"no-such-example"_s));
    QVERIFY(!ExampleLibrary::find(QString()));
}

void TestExampleLibrary::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("title");
    QTest::addColumn<QString>("description");
    QTest::addColumn<QString>("minVersion");

    const QString good
        = u"// title: T\n// description: D\n// category: files\n// requires: bpftrace 0.21\nBEGIN {}\n"_s;
    QTest::newRow("complete") << good << true << u"T"_s << u"D"_s << u"0.21"_s;
    QTest::newRow("SPDX line first") << u"// SPDX-License-Identifier: GPL-2.0-or-later\n"_s + good << true << u"T"_s
                                     << u"D"_s << u"0.21"_s;
    QTest::newRow("version with v")
        << u"// title: T\n// description: D\n// category: x\n// requires: bpftrace v0.20.1\n"_s << true << u"T"_s
        << u"D"_s << u"0.20.1"_s;
    QTest::newRow("description continues")
        << u"// title: T\n// description: first part\n// description: second part\n// category: x\n// requires: 0.9\n"_s
        << true << u"T"_s << u"first part second part"_s << u"0.9"_s;
    QTest::newRow("header ends at code")
        << u"// title: T\nBEGIN {}\n// description: D\n// category: x\n// requires: 0.9\n"_s << false << QString()
        << QString() << QString();
    QTest::newRow("missing requires") << u"// title: T\n// description: D\n// category: x\n"_s << false << QString()
                                      << QString() << QString();
    QTest::newRow("empty") << QString() << false << QString() << QString() << QString();
    QTest::newRow("CRLF") << u"// title: T\r\n// description: D\r\n// category: x\r\n// requires: 0.9\r\n"_s << true
                          << u"T"_s << u"D"_s << u"0.9"_s;
}

void TestExampleLibrary::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, title);
    QFETCH(QString, description);
    QFETCH(QString, minVersion);
    const auto e = ExampleLibrary::parse(u"name"_s, text);
    QCOMPARE(e.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(e->name, u"name"_s);
    QCOMPARE(e->title, title);
    QCOMPARE(e->description, description);
    QCOMPARE(e->minVersion, minVersion);
    QCOMPARE(e->script, text);
}

QTEST_GUILESS_MAIN(TestExampleLibrary)
#include "tst_examplelibrary.moc"
