// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/auditlog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace {

QJsonObject entry(int seq)
{
    return QJsonObject { { u"seq"_s, seq }, { u"decision"_s, u"approved"_s }, { u"client"_s, u"test client"_s },
        { u"script"_s, QString(200 + seq % 300, u's') } };
}

// Child mode: append entries 0, 1, 2, ... until killed.
int childAppender(const QString &path)
{
    AuditLog log(path);
    for (int i = 0;; ++i) {
        if (!log.append(entry(i)))
            return 1;
    }
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void appendRaw(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::Append));
    f.write(bytes);
}

} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendAndRead();
    void missingFileIsEmpty();
    void neverRewritten();
    void privateFile();
    void privateWhateverTheUmask();
    void existingLogTightened();
    void tornLastLineIgnored_data();
    void tornLastLineIgnored();
    void appendAfterTornLine();
    void unwritableLocation();
    void killedWriterKeepsCompleteEntries();
};

void TestAuditLog::appendAndRead()
{
    QTemporaryDir tmp;
    AuditLog log(tmp.filePath(u"state/audit.jsonl"_s));
    for (int i = 0; i < 5; ++i)
        QVERIFY(log.append(entry(i)));
    const QList<QJsonObject> entries = log.readAll();
    QCOMPARE(entries.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(entries.at(i), entry(i));
    // One JSON object per line.
    QCOMPARE(readFile(log.filePath()).count('\n'), 5);
}

void TestAuditLog::missingFileIsEmpty()
{
    AuditLog log(u"/nonexistent/dir/audit.jsonl"_s);
    QVERIFY(log.readAll().isEmpty());
}

void TestAuditLog::neverRewritten()
{
    QTemporaryDir tmp;
    AuditLog log(tmp.filePath(u"audit.jsonl"_s));
    QVERIFY(log.append(entry(1)));
    const QByteArray before = readFile(log.filePath());
    struct stat before_st {};
    QCOMPARE(::stat(QFile::encodeName(log.filePath()).constData(), &before_st), 0);
    QVERIFY(log.append(entry(2)));
    const QByteArray after = readFile(log.filePath());
    QVERIFY(after.startsWith(before));
    QVERIFY(after.size() > before.size());
    // Same inode: appended in place, not replaced by a rename.
    struct stat after_st {};
    QCOMPARE(::stat(QFile::encodeName(log.filePath()).constData(), &after_st), 0);
    QCOMPARE(after_st.st_ino, before_st.st_ino);
}

void TestAuditLog::privateFile()
{
    QTemporaryDir tmp;
    AuditLog log(tmp.filePath(u"audit.jsonl"_s));
    QVERIFY(log.append(entry(1)));
    const QFileDevice::Permissions perms = QFileInfo(log.filePath()).permissions();
    QVERIFY(perms & QFileDevice::ReadOwner);
    QVERIFY(!(perms & QFileDevice::ReadOther));
    QVERIFY(!(perms & QFileDevice::ReadGroup));
}

namespace {
mode_t modeOf(const QString &path)
{
    struct stat info;
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return mode_t(-1);
    return info.st_mode & 07777;
}
} // namespace

void TestAuditLog::privateWhateverTheUmask()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(u"state/tracedesk"_s);
    const mode_t old = ::umask(0);
    AuditLog log(dir + u"/audit.jsonl"_s);
    const bool appended = log.append(entry(1));
    ::umask(old);
    QVERIFY2(appended, qPrintable(log.errorString()));
    QCOMPARE(modeOf(dir), mode_t(0700));
    QCOMPARE(modeOf(tmp.filePath(u"state"_s)), mode_t(0700));
    QCOMPARE(modeOf(log.filePath()), mode_t(0600));
}

void TestAuditLog::existingLogTightened()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(u"state"_s);
    QVERIFY(QDir().mkpath(dir));
    QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0755), 0);
    const QString path = dir + u"/audit.jsonl"_s;
    appendRaw(path, "{\"seq\":0}\n");
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0644), 0);
    AuditLog log(path);
    // Tightened when the log is made (at start), before anything is appended.
    QCOMPARE(modeOf(dir), mode_t(0700));
    QCOMPARE(modeOf(path), mode_t(0600));
    QCOMPARE(log.readAll().size(), 1);
}

void TestAuditLog::tornLastLineIgnored_data()
{
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<int>("expected");
    QTest::newRow("half an object") << QByteArray("{\"seq\": 3, \"deci") << 2;
    QTest::newRow("complete object without newline") << QByteArray("{\"seq\": 3}") << 2;
    QTest::newRow("garbage line in the middle") << QByteArray("garbage\n{\"seq\": 4}\n") << 3;
    QTest::newRow("invalid utf-8 line") << QByteArray("\xff\xfe\n") << 2;
    QTest::newRow("blank lines") << QByteArray("\n\n") << 2;
    QTest::newRow("array line") << QByteArray("[1,2]\n") << 2;
}

void TestAuditLog::tornLastLineIgnored()
{
    QFETCH(QByteArray, tail);
    QFETCH(int, expected);
    QTemporaryDir tmp;
    AuditLog log(tmp.filePath(u"audit.jsonl"_s));
    QVERIFY(log.append(entry(1)));
    QVERIFY(log.append(entry(2)));
    appendRaw(log.filePath(), tail);
    const QList<QJsonObject> entries = log.readAll();
    QCOMPARE(entries.size(), expected);
    QCOMPARE(entries.at(0), entry(1));
    QCOMPARE(entries.at(1), entry(2));
}

void TestAuditLog::appendAfterTornLine()
{
    QTemporaryDir tmp;
    AuditLog log(tmp.filePath(u"audit.jsonl"_s));
    QVERIFY(log.append(entry(1)));
    appendRaw(log.filePath(), "{\"seq\": 2, \"torn");
    // The next entry starts on its own line, so the torn bytes cannot swallow it.
    QVERIFY(log.append(entry(3)));
    const QList<QJsonObject> entries = log.readAll();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(0), entry(1));
    QCOMPARE(entries.at(1), entry(3));
}

void TestAuditLog::unwritableLocation()
{
    QTemporaryDir tmp;
    QFile blocker(tmp.filePath(u"file"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    AuditLog log(tmp.filePath(u"file/audit.jsonl"_s)); // a file where the directory should be
    QVERIFY(!log.append(entry(1)));
    QVERIFY(!log.errorString().isEmpty());
}

void TestAuditLog::killedWriterKeepsCompleteEntries()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(u"audit.jsonl"_s);
    int previous = 0;
    for (int round = 0; round < 3; ++round) {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), { u"--child-appender"_s, path });
        QVERIFY(child.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(AuditLog(path).readAll().size() > previous + 30, 20000);
        QTest::qWait(round * 7);
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished());
        const QList<QJsonObject> entries = AuditLog(path).readAll();
        QVERIFY(entries.size() > previous);
        // Every round restarts at seq 0; within a round the numbers are contiguous and each
        // entry is exactly what was written.
        int expectedSeq = 0;
        for (const QJsonObject &e : entries) {
            const int seq = e.value(u"seq"_s).toInt();
            if (seq == 0)
                expectedSeq = 0;
            QCOMPARE(seq, expectedSeq);
            QCOMPARE(e, entry(seq));
            ++expectedSeq;
        }
        previous = int(entries.size());
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && qstrcmp(argv[1], "--child-appender") == 0) {
        QCoreApplication app(argc, argv);
        return childAppender(QString::fromLocal8Bit(argv[2]));
    }
    QCoreApplication app(argc, argv);
    TestAuditLog test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_auditlog.moc"
