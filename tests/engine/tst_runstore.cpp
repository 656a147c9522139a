// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/run.h"
#include "engine/runstore.h"
#include "engine/scriptanalyzer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace {

QJsonObject makeRun(const QString &id, int outputBytes = 100)
{
    return QJsonObject { { u"id"_s, id }, { u"state"_s, u"finished"_s }, { u"script"_s, u"BEGIN { exit(); }"_s },
        { u"output"_s, QString(outputBytes, u'x') } };
}

void setAge(const QString &path, int secondsAgo)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-secondsAgo), QFileDevice::FileModificationTime));
}

// Child mode: save runs "w0", "w1", ... forever, each a little larger, until killed.
int childWriter(const QString &dir)
{
    RunStore store(dir);
    for (int i = 0;; ++i) {
        if (!store.save(makeRun(u"w%1"_s.arg(i), 2000 + (i % 50) * 1000)))
            return 1;
        // Rewrites of existing ids too: a kill during a replace must leave the old file whole.
        if (i > 0 && !store.save(makeRun(u"w%1"_s.arg(i - 1), 500)))
            return 1;
    }
}

} // namespace

class TestRunStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void saveAndLoad();
    void saveRealRun();
    void rejectsBadIds_data();
    void rejectsBadIds();
    void replaceKeepsOneFile();
    void loadAllOldestFirst();
    void corruptFilesSkipped();
    void evictionOldestFirst();
    void newestSurvivesTinyCap();
    void lowerCapEvictsAtOnce();
    void remove();
    void killedWriterLeavesNothingTorn();
    void filesPrivateWhateverTheUmask();
    void existingHistoryTightened();
    void backgroundSaveIsSnapshotTakenAtSave();
    void historyKeepsKeysSeriesAndEmpties();
    void historyFromBeforeSeriesLoads();
};

void TestRunStore::saveAndLoad()
{
    QTemporaryDir tmp;
    RunStore store(tmp.filePath(u"runs"_s));
    QCOMPARE(store.size(), 0);
    QVERIFY(store.loadAll().isEmpty());
    QVERIFY(store.save(makeRun(u"run-1"_s)));
    const auto loaded = store.load(u"run-1"_s);
    QVERIFY(loaded);
    QCOMPARE(*loaded, makeRun(u"run-1"_s));
    QVERIFY(!store.load(u"run-2"_s));
    QVERIFY(store.size() > 100);
    QCOMPARE(QDir(store.directory()).entryList(QDir::Files), QStringList { u"run-1.json"_s });
}

void TestRunStore::saveRealRun()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    Run run(u"person-42"_s, RunOrigin::Person);
    QVERIFY2(store.save(run), qPrintable(store.errorString()));
    const auto loaded = store.load(u"person-42"_s);
    QVERIFY(loaded);
    QCOMPARE(loaded->value(u"id"_s).toString(), u"person-42"_s);
    QCOMPARE(*loaded, run.toJson(true));
}

void TestRunStore::rejectsBadIds_data()
{
    QTest::addColumn<QJsonValue>("id");
    QTest::newRow("missing") << QJsonValue();
    QTest::newRow("empty") << QJsonValue(u""_s);
    QTest::newRow("path traversal") << QJsonValue(u"../escape"_s);
    QTest::newRow("slash") << QJsonValue(u"a/b"_s);
    QTest::newRow("hidden") << QJsonValue(u".hidden"_s);
    QTest::newRow("not a string") << QJsonValue(42);
    QTest::newRow("too long") << QJsonValue(QString(300, u'a'));
}

void TestRunStore::rejectsBadIds()
{
    QFETCH(QJsonValue, id);
    QTemporaryDir tmp;
    RunStore store(tmp.filePath(u"runs"_s));
    QJsonObject run = makeRun(u"x"_s);
    run.insert(u"id"_s, id);
    QVERIFY(!store.save(run));
    QVERIFY(!store.errorString().isEmpty());
    QVERIFY(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).size() <= 1);
    QCOMPARE(store.size(), 0);
    QVERIFY(!QFile::exists(tmp.filePath(u"escape.json"_s)));
}

void TestRunStore::replaceKeepsOneFile()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    QVERIFY(store.save(makeRun(u"r"_s, 10)));
    QVERIFY(store.save(makeRun(u"r"_s, 20)));
    QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), QStringList { u"r.json"_s });
    QCOMPARE(store.load(u"r"_s)->value(u"output"_s).toString().size(), 20);
}

void TestRunStore::loadAllOldestFirst()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    for (const QString &id : { u"b"_s, u"a"_s, u"c"_s })
        QVERIFY(store.save(makeRun(id)));
    setAge(tmp.filePath(u"b.json"_s), 300);
    setAge(tmp.filePath(u"a.json"_s), 200);
    setAge(tmp.filePath(u"c.json"_s), 100);
    QStringList order;
    for (const QJsonObject &o : store.loadAll())
        order.append(o.value(u"id"_s).toString());
    QCOMPARE(order, (QStringList { u"b"_s, u"a"_s, u"c"_s }));
    QVERIFY(store.errorString().isEmpty());
}

void TestRunStore::corruptFilesSkipped()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    QVERIFY(store.save(makeRun(u"good"_s)));
    auto write = [&](const QString &name, const QByteArray &data) {
        QFile f(tmp.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    };
    write(u"torn.json"_s, "{\"id\": \"torn\", \"output\": \"xx");
    write(u"array.json"_s, "[1, 2, 3]");
    write(u"noid.json"_s, "{\"state\": \"finished\"}");
    write(u"binary.json"_s, QByteArray("\xff\xfe\x00\x01", 4));
    write(u"empty.json"_s, "");
    write(u"good.json.Xy12ab"_s, "{\"id\": \"leftover temp file\""); // what a kill during QSaveFile leaves
    const QList<QJsonObject> runs = store.loadAll();
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.first().value(u"id"_s).toString(), u"good"_s);
    QVERIFY(store.errorString().contains(u"5"_s));
    QVERIFY(store.errorString().contains(u"torn.json"_s));
}

void TestRunStore::evictionOldestFirst()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path(), 10'000);
    for (int i = 0; i < 5; ++i) {
        QVERIFY(store.save(makeRun(u"r%1"_s.arg(i), 3000)));
        setAge(tmp.filePath(u"r%1.json"_s.arg(i)), 100 - i);
    }
    // Each file is ~3.1 kB: only the newest three fit under 10 kB.
    QVERIFY(store.size() <= 10'000);
    QStringList ids;
    for (const QJsonObject &o : store.loadAll())
        ids.append(o.value(u"id"_s).toString());
    QCOMPARE(ids, (QStringList { u"r2"_s, u"r3"_s, u"r4"_s }));
}

void TestRunStore::newestSurvivesTinyCap()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path(), 1000);
    QVERIFY(store.save(makeRun(u"old"_s, 500)));
    setAge(tmp.filePath(u"old.json"_s), 100);
    QVERIFY(store.save(makeRun(u"huge"_s, 5000)));
    const QList<QJsonObject> runs = store.loadAll();
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.first().value(u"id"_s).toString(), u"huge"_s);
}

void TestRunStore::lowerCapEvictsAtOnce()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    for (int i = 0; i < 4; ++i) {
        QVERIFY(store.save(makeRun(u"r%1"_s.arg(i), 1000)));
        setAge(tmp.filePath(u"r%1.json"_s.arg(i)), 100 - i);
    }
    store.setMaxBytes(2500);
    QCOMPARE(store.maxBytes(), 2500);
    QCOMPARE(store.loadAll().size(), 2);
    QVERIFY(store.load(u"r3"_s));
    QVERIFY(!store.load(u"r0"_s));
}

void TestRunStore::remove()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    QVERIFY(store.save(makeRun(u"gone"_s)));
    QVERIFY(store.remove(u"gone"_s));
    QVERIFY(!store.remove(u"gone"_s));
    QVERIFY(!store.remove(u"../x"_s));
    QVERIFY(store.loadAll().isEmpty());
}

void TestRunStore::killedWriterLeavesNothingTorn()
{
    QTemporaryDir tmp;
    for (int round = 0; round < 3; ++round) {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), { u"--child-writer"_s, tmp.path() });
        QVERIFY(child.waitForStarted());
        // Kill at a different moment each round, while it is busy writing.
        QTRY_VERIFY_WITH_TIMEOUT(
            QDir(tmp.path()).entryList({ u"*.json"_s }, QDir::Files).size() > 20 + round * 7, 20000);
        QTest::qWait(round * 13);
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished());
        RunStore store(tmp.path());
        const QStringList files = QDir(tmp.path()).entryList({ u"*.json"_s }, QDir::Files);
        const QList<QJsonObject> runs = store.loadAll();
        // Every *.json file is complete JSON: the kill can only leave a temporary file behind.
        QVERIFY2(store.errorString().isEmpty(), qPrintable(store.errorString()));
        QCOMPARE(runs.size(), files.size());
        for (const QJsonObject &run : runs) {
            const QString output = run.value(u"output"_s).toString();
            QVERIFY(output.size() == 500 || output.size() >= 2000);
            QVERIFY(output.count(u'x') == output.size());
        }
    }
}

namespace {
mode_t modeOf(const QString &path)
{
    struct stat info;
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return mode_t(-1);
    return info.st_mode & 07777;
}

void makeFile(const QString &path, const QByteArray &data, mode_t mode)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
    f.close();
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode), 0);
}

// Run finished with `lines` lines of output and the analysis of `script`.
void finishRun(Run *run, int lines, const QString &script)
{
    QList<OutputLine> batch;
    for (int i = 0; i < lines; ++i)
        batch.append(OutputLine { 0, i, OutputLine::Stream::Stdout, u"line %1 of the output"_s.arg(i) });
    run->appendLines(std::move(batch), 1000000);
    run->setAnalysis(ScriptAnalyzer::analyzeText(script));
    run->setEnded(RunState::Finished, 0);
}
} // namespace

void TestRunStore::filesPrivateWhateverTheUmask()
{
    QTemporaryDir tmp;
    const QString state = tmp.filePath(u"state"_s);
    const QString dir = state + u"/runs"_s;
    // The most open umask there is: nothing of what the store makes may be readable by others.
    const mode_t old = ::umask(0);
    RunStore store(dir);
    const bool saved = store.save(makeRun(u"run-1"_s));
    Run run(u"run-2"_s, RunOrigin::Person);
    store.saveInBackground(&run);
    store.waitForPendingSaves();
    ::umask(old);
    QVERIFY2(saved, qPrintable(store.errorString()));
    QCOMPARE(modeOf(state), mode_t(0700));
    QCOMPARE(modeOf(dir), mode_t(0700));
    QCOMPARE(modeOf(dir + u"/run-1.json"_s), mode_t(0600));
    QCOMPARE(modeOf(dir + u"/run-2.json"_s), mode_t(0600));
    // A replaced file stays private too (QSaveFile would copy the old mode).
    QVERIFY(store.save(makeRun(u"run-1"_s, 10)));
    QCOMPARE(modeOf(dir + u"/run-1.json"_s), mode_t(0600));
}

void TestRunStore::existingHistoryTightened()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(u"runs"_s);
    QVERIFY(QDir().mkpath(dir));
    QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0755), 0);
    makeFile(dir + u"/old.json"_s, QJsonDocument(makeRun(u"old"_s)).toJson(), 0644);
    makeFile(dir + u"/older.json"_s, QJsonDocument(makeRun(u"older"_s)).toJson(), 0666);
    RunStore store(dir);
    QCOMPARE(modeOf(dir), mode_t(0700));
    QCOMPARE(modeOf(dir + u"/old.json"_s), mode_t(0600));
    QCOMPARE(modeOf(dir + u"/older.json"_s), mode_t(0600));
    QCOMPARE(store.loadAll().size(), 2);
}

void TestRunStore::backgroundSaveIsSnapshotTakenAtSave()
{
    QTemporaryDir tmp;
    RunStore store(tmp.filePath(u"runs"_s));
    // A large run first keeps the writer busy, so the next save is written only after the test
    // has changed its run: what lands on disk must be what the run was when the save was asked.
    // Built with -fsanitize=thread, the old code (toJson() on the worker) also reports data races
    // on Run::m_lines and m_analysis here; the snapshot reports none.
    Run big(u"big"_s, RunOrigin::Person);
    finishRun(&big, 200000, u"BEGIN { }"_s);
    Run run(u"late-analysis"_s, RunOrigin::Person);
    finishRun(&run, 10, u"BEGIN { printf(\"hello\\n\"); }"_s);
    store.saveInBackground(&big);
    const QJsonObject expected = run.toJson(true);
    store.saveInBackground(&run);
    // The window's thread goes on: a late analysis and more output arrive for the ended run.
    run.setAnalysis(ScriptAnalyzer::analyzeText(u"kprobe:vfs_read { system(\"id\"); cat(\"/etc/shadow\"); }"_s));
    QVERIFY(run.toJson(false).value(u"analysis"_s) != expected.value(u"analysis"_s));
    QList<OutputLine> more { OutputLine { 0, 99, OutputLine::Stream::Stderr, u"late"_s } };
    run.appendLines(std::move(more), 1000000);
    store.waitForPendingSaves();
    const auto saved = store.load(u"late-analysis"_s);
    QVERIFY(saved);
    QCOMPARE(*saved, expected);
    QCOMPARE(saved->value(u"output"_s).toArray().size(), 10);
    QCOMPARE(store.load(u"big"_s)->value(u"output"_s).toArray().size(), 200000);
}

void TestRunStore::historyKeepsKeysSeriesAndEmpties()
{
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    Run run(u"person-7"_s, RunOrigin::Person);
    ScriptAnalysis analysis;
    QFile ast(QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data/results-0.23.2/stacks.ast.txt"));
    QVERIFY(ast.open(QIODevice::ReadOnly));
    ScriptAnalyzer::applyAst(analysis, ast.readAll(), QString());
    run.setAnalysis(analysis);
    run.setState(RunState::Running);
    RunResults batch;
    for (qint64 ms : { 1000, 2000 }) {
        const MapResult u = MapResult::fromBpftraceJson(u"@u"_s, u"map"_s,
            QJsonObject { { u"bash,\\n        _Fork+35\\n,10322"_s, ms / 1000 } },
            { u"string[16]"_s, u"ustack"_s, u"uint32"_s });
        batch.appendSnapshot(ms, u);
        batch.insert(u);
    }
    run.updateMaps(batch);
    run.setEnded(RunState::Finished, 0);
    QVERIFY(run.maps().find(u"@"_s)->isEmpty()); // declared, never printed
    QVERIFY(run.maps().series(u"@u"_s)->delta);

    QVERIFY2(store.save(run), qPrintable(store.errorString()));
    std::unique_ptr<Run> back(Run::fromJson(*store.load(u"person-7"_s)));
    QCOMPARE(back->maps(), run.maps());
    const MapKey &key = back->maps().series(u"@u"_s)->snapshots.last().map.entries().first().key;
    QCOMPARE(key.parts.size(), 3);
    QCOMPARE(key.parts.at(1).stack.frames.first().symbol, u"_Fork"_s);
    QCOMPARE(key.parts.at(2).integer, 10322);
    QVERIFY(back->maps().find(u"@"_s)->isEmpty());
    QCOMPARE(back->analysis().mapDetails, analysis.mapDetails);
}

void TestRunStore::historyFromBeforeSeriesLoads()
{
    // As TraceDesk 0.1 wrote a run: maps without key types, no series, an analysis without details.
    const QByteArray old = R"({"id": "run-old", "origin": "person", "state": "stopped",
        "script": "profile:hz:99 { @[comm, kstack] = count(); }",
        "maps": {"@": {"kind": "map", "data": {"swapper/0,\\n        pv_native_safe_halt+11\\n        default_idle+5\\n": 286,
            "bash,\\n": 3}}},
        "analysis": {"risk": "low", "complete": true, "checked": true, "fromAst": true, "maps": ["@"]}})";
    const QJsonObject oldRun = QJsonDocument::fromJson(old).object();
    QVERIFY(!oldRun.isEmpty());
    QTemporaryDir tmp;
    RunStore store(tmp.path());
    QVERIFY(store.save(oldRun));
    std::unique_ptr<Run> run(Run::fromJson(*store.load(u"run-old"_s)));
    QVERIFY(run);
    QVERIFY(run->maps().seriesNames().isEmpty());
    const MapResult *map = run->maps().find(u"@"_s);
    QVERIFY(map->keyTypes().isEmpty());
    // Guessed: the part led by a backslash-n is a stack.
    const MapKey key = map->entriesByWeight(1).first().key;
    QCOMPARE(key.parts.size(), 2);
    QCOMPARE(key.parts.at(0).text, u"swapper/0"_s);
    QCOMPARE(key.parts.at(1).type, MapKeyPart::Type::Stack);
    QCOMPARE(key.parts.at(1).stack.frames.size(), 2);
    QCOMPARE(run->toJson(false).value(u"maps"_s).toObject(), oldRun.value(u"maps"_s).toObject());
}

int main(int argc, char **argv)
{
    if (argc == 3 && qstrcmp(argv[1], "--child-writer") == 0) {
        QCoreApplication app(argc, argv);
        return childWriter(QString::fromLocal8Bit(argv[2]));
    }
    QCoreApplication app(argc, argv);
    TestRunStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_runstore.moc"
