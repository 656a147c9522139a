// SPDX-License-Identifier: GPL-2.0-or-later
// McpToken: the bearer token's generation and its file's permissions.
#include "mcp/mcptoken.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

static unsigned modeOf(const QString &path)
{
    struct stat info;
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return 0xffff;
    return info.st_mode & 0777;
}

class TestMcpToken : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void generate();
    void createdPrivately();
    void reusedAndTightened();
    void unusableTokenReplaced();
    void equals();
};

void TestMcpToken::generate()
{
    const QString a = McpToken::generate();
    const QString b = McpToken::generate();
    QCOMPARE(a.size(), 43); // 32 bytes, base64url without padding
    QVERIFY(QRegularExpression(u"^[A-Za-z0-9_-]+$"_s).match(a).hasMatch());
    QVERIFY(a != b);
}

void TestMcpToken::createdPrivately()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"config/tracedesk/http-token"_s);
    QString token;
    QString error;
    QVERIFY2(McpToken::loadOrCreate(path, &token, &error), qPrintable(error));
    QCOMPARE(token.size(), 43);
    QCOMPARE(modeOf(path), 0600u);
    QCOMPARE(modeOf(QFileInfo(path).absolutePath()), 0700u);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromLatin1(file.readAll().trimmed()), token);
}

void TestMcpToken::reusedAndTightened()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"http-token"_s);
    QString first;
    QString error;
    QVERIFY(McpToken::loadOrCreate(path, &first, &error));
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QCOMPARE(modeOf(path), 0604u);
    QString second;
    QVERIFY(McpToken::loadOrCreate(path, &second, &error));
    QCOMPARE(second, first);
    QCOMPARE(modeOf(path), 0600u);
}

void TestMcpToken::unusableTokenReplaced()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"http-token"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("short\n");
    file.close();
    QString token;
    QString error;
    QVERIFY(McpToken::loadOrCreate(path, &token, &error));
    QCOMPARE(token.size(), 43);
    QCOMPARE(modeOf(path), 0600u);
}

void TestMcpToken::equals()
{
    QVERIFY(McpToken::equals("abcdef", "abcdef"));
    QVERIFY(!McpToken::equals("abcdef", "abcdeg"));
    QVERIFY(!McpToken::equals("abcdef", "abcde"));
    QVERIFY(!McpToken::equals("", "a"));
    QVERIFY(McpToken::equals("", ""));
}

QTEST_GUILESS_MAIN(TestMcpToken)
#include "tst_mcptoken.moc"
