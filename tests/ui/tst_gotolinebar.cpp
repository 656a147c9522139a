// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/gotolinebar.h"
#include "ui/scripteditor.h"

#include <QSpinBox>
#include <QTest>

using namespace Qt::StringLiterals;

class TestGoToLineBar : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void typesALineAndGoesThere()
    {
        ScriptEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.activateWindow();
        editor.setFocus();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        editor.setPlainText(u"BEGIN\n{\n    @x = 1;\n}\nEND { }\n"_s);
        QTest::keyClick(&editor, Qt::Key_G, Qt::ControlModifier);
        GoToLineBar *bar = editor.goToLineBar();
        QVERIFY(bar->isVisible());
        QCOMPARE(bar->spinBox()->maximum(), 6);
        QCOMPARE(bar->spinBox()->value(), 1);
        QTest::keyClicks(bar->spinBox(), u"3"_s);
        QTest::keyClick(bar->spinBox(), Qt::Key_Return);
        QVERIFY(!bar->isVisible());
        QCOMPARE(editor.textCursor().blockNumber(), 2);
        QCOMPARE(editor.textCursor().positionInBlock(), 0);
        // Past the end: the spin box keeps it in range.
        editor.openGoToLine();
        bar->spinBox()->setValue(99);
        bar->accept();
        QCOMPARE(editor.textCursor().blockNumber(), 5);
        // Escape leaves the cursor alone.
        editor.openGoToLine();
        bar->spinBox()->setValue(1);
        QTest::keyClick(bar->spinBox(), Qt::Key_Escape);
        QVERIFY(!bar->isVisible());
        QCOMPARE(editor.textCursor().blockNumber(), 5);
    }

    void goToLineAndColumn()
    {
        ScriptEditor editor;
        editor.setPlainText(u"BEGIN\n{\n    @x = 1;\n}\n"_s);
        editor.goToLine(3, 5);
        QCOMPARE(editor.textCursor().blockNumber(), 2);
        QCOMPARE(editor.textCursor().positionInBlock(), 4);
        editor.goToLine(0);
        QCOMPARE(editor.textCursor().blockNumber(), 0);
    }
};

QTEST_MAIN(TestGoToLineBar)
#include "tst_gotolinebar.moc"
