// SPDX-License-Identifier: GPL-2.0-or-later
// Client text reaches the terminal and the window with every control and invisible character escaped.
#include "engine/inerttext.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestInertText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void line_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << u"Claude Code 2.1"_s << u"Claude Code 2.1"_s;
        QTest::newRow("cursor up, erase line") << u"a\x1b[1A\x1b[2Kb"_s << u"a\\x1b[1A\\x1b[2Kb"_s;
        QTest::newRow("conceal") << u"\x1b[8mhidden"_s << u"\\x1b[8mhidden"_s;
        QTest::newRow("cr lf tab") << u"x\ry\nz\t"_s << u"x\\x0dy\\x0az\\x09"_s;
        QTest::newRow("del and c1") << u"\x7f\u009b2J"_s << u"\\x7f\\x9b2J"_s;
        QTest::newRow("bidi override") << u"txt\u202egnp.exe"_s << u"txt\\u202egnp.exe"_s;
        QTest::newRow("isolates and marks") << u"\u2066\u2067\u2068\u2069\u200e\u200f\u061c"_s
                                            << u"\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c"_s;
        QTest::newRow("zero width") << u"sys\u200btem\u200d\u2060\ufeff"_s << u"sys\\u200btem\\u200d\\u2060\\ufeff"_s;
        QTest::newRow("line separator") << u"a\u2028b\u2029c"_s << u"a\\u2028b\\u2029c"_s;
        QTest::newRow("tag characters") << QString::fromUcs4(U"a\U000E0041\U000E007F") << u"a\\U000e0041\\U000e007f"_s;
        QTest::newRow("lone surrogate") << QString(QChar(0xd800)) << u"\\ud800"_s;
        QTest::newRow("real text stays") << QString::fromUcs4(U"Grüße 日本 😀 — “quoted”")
                                         << QString::fromUcs4(U"Grüße 日本 😀 — “quoted”");
    }
    void line()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(InertText::line(text), expected);
    }

    void blockKeepsLayout()
    {
        QCOMPARE(InertText::block(u"BEGIN {\n\tprintf(\"x\");\r\n}\n"_s), u"BEGIN {\n\tprintf(\"x\");\\x0d\n}\n"_s);
        QCOMPARE(InertText::block(u"// \u202e }\n"_s), u"// \\u202e }\n"_s);
        QCOMPARE(InertText::block(u"\x1b[1A\n"_s), u"\\x1b[1A\n"_s);
    }

    void hidden()
    {
        for (char32_t c : { U'\0', U'\x1b', U'\x7f', U'\u0085', U'\u00ad', U'\u202a', U'\u202d', U'\u2064', U'\u3164' })
            QVERIFY2(InertText::isHidden(c), qPrintable(QString::number(uint(c), 16)));
        for (char32_t c : { U'a', U' ', U'é', U'\u00a0', U'\u4e00' })
            QVERIFY2(!InertText::isHidden(c), qPrintable(QString::number(uint(c), 16)));
    }
};

QTEST_APPLESS_MAIN(TestInertText)
#include "tst_inerttext.moc"
