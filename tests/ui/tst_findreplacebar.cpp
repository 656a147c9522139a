// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/findreplacebar.h"
#include "ui/scripteditor.h"

#include <QAction>
#include <QLineEdit>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
const QString script = u"BEGIN { @count = count(); }\n"
                       "kprobe:vfs_read { @Count[comm] = count(); }\n"
                       "END { print(@count); printf(\"counted\\n\"); }\n"_s;

QAction *action(const ScriptEditor &editor, const QString &text)
{
    for (QAction *a : editor.editActions()) {
        if (a->text().remove(u'&') == text)
            return a;
    }
    return nullptr;
}
} // namespace

class TestFindReplaceBar : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void countsMatchCaseAndWholeWords()
    {
        ScriptEditor editor;
        editor.resize(800, 400);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setPlainText(script);
        FindReplaceBar *bar = editor.findBar();
        editor.openFind();
        QVERIFY(bar->isVisible());
        QVERIFY(!bar->isReplaceShown());
        QTest::keyClicks(bar->findEdit(), u"count"_s);
        // @count, count(), @Count, count(), @count and "counted"
        QCOMPARE(bar->matchCount(), 6);
        QCOMPARE(bar->statusText(), u"6 matches"_s);
        // Incremental: the first match from where the search began is selected.
        QCOMPARE(editor.textCursor().selectionStart(), int(script.indexOf(u"count")));
        bar->setMatchCase(true);
        QCOMPARE(bar->matchCount(), 5);
        bar->setWholeWords(true);
        QCOMPARE(bar->matchCount(), 4); // @count twice and count() twice; not Count, not counted
        bar->findEdit()->setText(u"nothing"_s);
        Q_EMIT bar->findEdit()->textEdited(bar->findEdit()->text());
        QCOMPARE(bar->matchCount(), 0);
        QCOMPARE(bar->statusText(), u"No matches"_s);
        // Matches are highlighted in the text while the bar is open.
        bar->findEdit()->setText(u"comm"_s);
        Q_EMIT bar->findEdit()->textEdited(bar->findEdit()->text());
        QCOMPARE(bar->matchCount(), 1);
        const auto selections = editor.extraSelections();
        QVERIFY(std::any_of(selections.cbegin(), selections.cend(),
            [](const QTextEdit::ExtraSelection &s) { return s.cursor.selectedText() == u"comm"; }));
        // Escape closes the bar and gives the focus back to the text.
        QTest::keyClick(bar->findEdit(), Qt::Key_Escape);
        QVERIFY(!bar->isVisible());
        QCOMPARE(bar->matchCount(), 0);
    }

    void nextAndPreviousWrapAround()
    {
        ScriptEditor editor;
        editor.show();
        editor.setPlainText(u"a x a x a"_s);
        FindReplaceBar *bar = editor.findBar();
        editor.openFind();
        QTest::keyClicks(bar->findEdit(), u"a"_s);
        QCOMPARE(editor.textCursor().selectionStart(), 0);
        QVERIFY(bar->findNext());
        QCOMPARE(editor.textCursor().selectionStart(), 4);
        QTest::keyClick(bar->findEdit(), Qt::Key_Return); // Enter finds the next one
        QCOMPARE(editor.textCursor().selectionStart(), 8);
        QCOMPARE(editor.toPlainText(), u"a x a x a"_s); // Enter never reaches the text
        QVERIFY(bar->findNext());
        QCOMPARE(editor.textCursor().selectionStart(), 0); // wrapped
        QVERIFY(bar->findPrevious());
        QCOMPARE(editor.textCursor().selectionStart(), 8);
        // F3 and Shift+F3 are the editor's Find Next / Find Previous.
        QVERIFY(action(editor, u"Find Next"_s)->shortcuts().contains(QKeySequence(Qt::Key_F3)));
        QVERIFY(action(editor, u"Find Previous"_s)->shortcuts().contains(QKeySequence(Qt::SHIFT | Qt::Key_F3)));
        action(editor, u"Find Previous"_s)->trigger();
        QCOMPARE(editor.textCursor().selectionStart(), 4);
    }

    void replaceOneAndAll()
    {
        ScriptEditor editor;
        editor.show();
        editor.setPlainText(script);
        FindReplaceBar *bar = editor.findBar();
        editor.openReplace();
        QVERIFY(bar->isReplaceShown());
        bar->setWholeWords(true);
        bar->setMatchCase(true);
        QTest::keyClicks(bar->findEdit(), u"count"_s);
        QCOMPARE(bar->matchCount(), 4);
        bar->replaceEdit()->setText(u"total"_s);
        // The first Replace replaces the selected match and moves on to the next.
        QVERIFY(bar->replaceCurrent());
        QCOMPARE(bar->matchCount(), 3);
        QVERIFY(editor.toPlainText().startsWith(u"BEGIN { @total = count(); }"_s));
        QCOMPARE(bar->replaceAll(), 3);
        QCOMPARE(bar->matchCount(), 0);
        QCOMPARE(bar->statusText(), u"Replaced 3"_s);
        QCOMPARE(editor.toPlainText(),
            u"BEGIN { @total = total(); }\nkprobe:vfs_read { @Count[comm] = total(); }\n"
            "END { print(@total); printf(\"counted\\n\"); }\n"_s);
        // Replace All is one undo step.
        editor.undo();
        QVERIFY(editor.toPlainText().startsWith(u"BEGIN { @total = count(); }"_s));
    }

    void readOnlyViewsFindButNeverReplace()
    {
        ScriptEditor editor;
        editor.setReadOnly(true);
        editor.show();
        editor.setPlainText(script);
        editor.openReplace();
        QVERIFY(!editor.findBar()->isReplaceShown());
        QTest::keyClicks(editor.findBar()->findEdit(), u"count"_s);
        QCOMPARE(editor.findBar()->replaceAll(), 0);
        QCOMPARE(editor.toPlainText(), script);
    }

    void shortcutsOpenTheBar()
    {
        ScriptEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.activateWindow();
        editor.setFocus();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        editor.setPlainText(u"BEGIN { }"_s);
        QTest::keyClick(&editor, Qt::Key_F, Qt::ControlModifier);
        QVERIFY(editor.findBar()->isVisible());
        QVERIFY(!editor.findBar()->isReplaceShown());
        QTest::keyClick(editor.findBar()->findEdit(), Qt::Key_H, Qt::ControlModifier);
        QVERIFY(editor.findBar()->isReplaceShown());
        QTest::keyClick(editor.findBar()->findEdit(), Qt::Key_Escape);
        QVERIFY(!editor.findBar()->isVisible());
        QVERIFY(editor.hasFocus());
        // The bar takes room under the text only while it is open.
        editor.openFind();
        const int withBar = editor.viewport()->height();
        editor.findBar()->close();
        QVERIFY(editor.viewport()->height() > withBar);
    }
};

QTEST_MAIN(TestFindReplaceBar)
#include "tst_findreplacebar.moc"
