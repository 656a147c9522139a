// SPDX-License-Identifier: GPL-2.0-or-later
// checkScript(): the one check and the one wording for every script, whoever sends it.
#include "engine/scriptcheck.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestScriptCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void check_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("message"); // empty: accepted

        QTest::newRow("ok") << u"BEGIN { exit(); }"_s << QString();
        QTest::newRow("empty") << QString() << u"The script is empty."_s;
        QTest::newRow("blank") << u" \n\t "_s << u"The script is empty."_s;
        QTest::newRow("at the limit") << QString(maxScriptBytes, u'x') << QString();
        QTest::newRow("one byte over") << QString(maxScriptBytes + 1, u'x') << u"The script is larger than 100 KiB."_s;
        // Two bytes of UTF-8 per character: half the characters already reach the limit.
        QTest::newRow("counted in bytes")
            << QString(maxScriptBytes / 2 + 1, QChar(0x00e9)) << u"The script is larger than 100 KiB."_s;
        QTest::newRow("lone surrogate") << (u"BEGIN { printf(\""_s + QChar(0xd800) + u"\"); }"_s)
                                        << u"The script is not valid UTF-8."_s;
        QTest::newRow("surrogate pair") << (u"BEGIN { printf(\""_s + QChar(0xd83d) + QChar(0xde00) + u"\"); }"_s)
                                        << QString();
    }

    void check()
    {
        QFETCH(QString, script);
        QFETCH(QString, message);
        QString error;
        QCOMPARE(checkScript(script, &error), message.isEmpty());
        QCOMPARE(error, message);
        QCOMPARE(checkScript(script), message.isEmpty()); // the message is optional
    }

    void limitIsOneHundredKibibytes() { QCOMPARE(maxScriptBytes, qsizetype(100 * 1024)); }
};

QTEST_GUILESS_MAIN(TestScriptCheck)
#include "tst_scriptcheck.moc"
