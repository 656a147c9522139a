// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/scripteditor.h"

#include <QAction>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

class TestScriptEditor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void highlightsWithOurDefinition()
    {
        ScriptEditor editor;
        editor.setPlainText(u"tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }"_s);
        const QTextBlock block = editor.document()->firstBlock();
        const QList<QTextLayout::FormatRange> formats = block.layout()->formats();
        QVERIFY(!formats.isEmpty());
        // The map and the provider are coloured differently from each other.
        QColor providerColor, mapColor;
        for (const auto &range : formats) {
            if (range.start == 0)
                providerColor = range.format.foreground().color();
            if (range.start == block.text().indexOf(u'@'))
                mapColor = range.format.foreground().color();
        }
        QVERIFY(providerColor.isValid());
        QVERIFY(mapColor.isValid());
        QVERIFY(providerColor != mapColor);
    }

    void themeFollowsPalette()
    {
        ScriptEditor editor;
        editor.setPlainText(u"BEGIN { printf(\"hi\\n\"); }"_s);
        auto stringColor = [&editor] {
            const QTextBlock block = editor.document()->firstBlock();
            for (const auto &range : block.layout()->formats()) {
                if (range.start == block.text().indexOf(u'"'))
                    return range.format.foreground().color();
            }
            return QColor();
        };
        const QColor light = stringColor();
        QPalette dark = editor.palette();
        dark.setColor(QPalette::Base, QColor(0x23, 0x26, 0x29));
        dark.setColor(QPalette::Window, QColor(0x23, 0x26, 0x29));
        dark.setColor(QPalette::Text, QColor(0xfc, 0xfc, 0xfc));
        dark.setColor(QPalette::WindowText, QColor(0xfc, 0xfc, 0xfc));
        editor.setPalette(dark);
        QTRY_VERIFY(stringColor() != light);
    }

    void lineNumbersGrow()
    {
        ScriptEditor editor;
        editor.setPlainText(u"BEGIN {}"_s);
        const int narrow = editor.lineNumberAreaWidth();
        QString many;
        for (int i = 0; i < 12000; ++i)
            many += u"// line\n"_s;
        editor.setPlainText(many);
        QVERIFY(editor.lineNumberAreaWidth() > narrow);
    }

    void instantAnalysisAfterTyping()
    {
        ScriptEditor editor;
        QSignalSpy analysed(&editor, &ScriptEditor::analysisChanged);
        editor.show();
        QTest::keyClicks(&editor, u"kprobe:vfs_read { system(\"ls\"); }"_s);
        // Debounced: nothing per keystroke, one analysis after the pause.
        QVERIFY(analysed.size() <= 1);
        QVERIFY(analysed.wait(3000));
        const ScriptAnalysis analysis = editor.analysis();
        QVERIFY(analysis.probeSpecs.contains(u"kprobe:vfs_read"_s));
        QVERIFY(analysis.unsafeBuiltins.contains(u"system"_s));
    }

    void fullAnalysisWithTheAnalyzer()
    {
        FakeEngine engine;
        ScriptEditor editor;
        editor.setAnalyzer(engine->analyzer());
        editor.setPlainText(u"tracepoint:syscalls:sys_enter_open* { }"_s);
        editor.analyzeNow();
        QTRY_VERIFY_WITH_TIMEOUT(editor.analysis().complete, 10000);
        QCOMPARE(editor.analysis().attachCount, 3); // the fake lists three probes
    }

    // Checked on targets: a target without an analyzer, or whose analyzer goes away before it
    // answered, is not checked there, and says so; never a target that found nothing.
    void targetWithoutAnAnswerIsUnchecked()
    {
        FakeEngine engine;
        ScriptEditor editor;
        editor.setPlainText(u"tracepoint:syscalls:sys_enter_open* { }"_s);

        editor.setTargetAnalyzers(u"db (2 targets)"_s, { { u"a"_s, engine->analyzer() }, { u"b"_s, nullptr } });
        QTRY_VERIFY_WITH_TIMEOUT(editor.analysis().complete && !editor.analysis().uncheckedReason.isEmpty(), 10000);
        QVERIFY(!editor.analysis().checked);
        QCOMPARE(editor.analysis().uncheckedReason, u"b: no analyzer for target b"_s);
        QVERIFY2(editor.statusLine().startsWith(u"On db (2 targets): "_s), qPrintable(editor.statusLine()));

        // b's bpftrace would take half a minute; b goes away meanwhile.
        auto *slow = new ScriptAnalyzer;
        slow->setBpftraceCommand({ u"/bin/sh"_s, { u"-c"_s, u"sleep 30"_s }, false });
        editor.setTargetAnalyzers(u"db (2 targets)"_s, { { u"a"_s, engine->analyzer() }, { u"b"_s, slow } });
        // The full check starts after the typing pause (1.2 s); a answers at once, b never.
        QTest::qWait(2500);
        QVERIFY(!editor.analysis().complete);
        delete slow;
        QTRY_VERIFY_WITH_TIMEOUT(editor.analysis().complete, 5000);
        QVERIFY(!editor.analysis().checked);
        QCOMPARE(editor.analysis().uncheckedReason, u"b: target b was removed before its bpftrace answered"_s);

        // Back to this machine's analyzer: checked, and no "on".
        editor.setAnalyzer(engine->analyzer());
        editor.setTargetAnalyzers({}, {});
        QTRY_VERIFY_WITH_TIMEOUT(editor.analysis().complete && editor.analysis().checked, 10000);
        QVERIFY(!editor.statusLine().startsWith(u"On "_s));
    }

    void diagnosticsAreUnderlinedWithTooltips()
    {
        ScriptEditor editor;
        editor.resize(600, 300);
        editor.show();
        editor.setPlainText(u"BEGIN\n{\n    fakefail();\n}\n"_s);
        Diagnostic d;
        d.severity = Diagnostic::Severity::Error;
        d.line = 3;
        d.column = 5;
        d.endColumn = 12;
        d.message = u"Unknown function: fakefail"_s;
        editor.setExternalDiagnostics({ d });
        QCOMPARE(editor.markers().size(), 1);
        bool underlined = false;
        for (const auto &selection : editor.extraSelections()) {
            if (selection.format.underlineStyle() == QTextCharFormat::SpellCheckUnderline) {
                underlined = true;
                QCOMPARE(selection.cursor.selectedText(), u"fakefail"_s);
            }
        }
        QVERIFY(underlined);
        QTextCursor cursor(editor.document()->findBlockByNumber(2));
        cursor.setPosition(cursor.position() + 7);
        const QPoint inside = editor.cursorRect(cursor).center();
        QVERIFY(editor.markerToolTipAt(inside).contains(u"Unknown function: fakefail"_s));
        cursor.setPosition(editor.document()->findBlockByNumber(0).position());
        QVERIFY(editor.markerToolTipAt(editor.cursorRect(cursor).center()).isEmpty());
        editor.setExternalDiagnostics({});
        QVERIFY(editor.markers().isEmpty());
    }

    void probeSkeleton()
    {
        ScriptEditor editor;
        editor.setPlainText(u"BEGIN { }"_s);
        editor.moveCursor(QTextCursor::End);
        editor.insertProbeSkeleton(u"tracepoint:syscalls:sys_enter_openat"_s);
        QCOMPARE(editor.toPlainText(), u"BEGIN { }\n\ntracepoint:syscalls:sys_enter_openat\n{\n    \n}\n"_s);
        // The cursor waits inside the block.
        QCOMPARE(editor.textCursor().blockNumber(), 4);
        QCOMPARE(editor.textCursor().positionInBlock(), 4);
        // Undo takes the whole insertion back.
        editor.undo();
        QCOMPARE(editor.toPlainText(), u"BEGIN { }"_s);
    }

    void autoIndent()
    {
        ScriptEditor editor;
        editor.show();
        QTest::keyClicks(&editor, u"BEGIN {"_s);
        QTest::keyClick(&editor, Qt::Key_Return);
        // After '{' the new line is indented one level.
        QCOMPARE(editor.toPlainText(), u"BEGIN {\n    "_s);
        QTest::keyClicks(&editor, u"if (1) {"_s);
        QTest::keyClick(&editor, Qt::Key_Return);
        QTest::keyClicks(&editor, u"exit();"_s);
        QTest::keyClick(&editor, Qt::Key_Return);
        // A plain line keeps the indentation of the one before; '}' alone goes back to its '{'.
        QCOMPARE(editor.textCursor().block().text(), u"        "_s);
        QTest::keyClicks(&editor, u"}"_s);
        QCOMPARE(editor.textCursor().block().text(), u"    }"_s);
        QTest::keyClick(&editor, Qt::Key_Return);
        QTest::keyClicks(&editor, u"}"_s);
        QCOMPARE(editor.toPlainText(), u"BEGIN {\n    if (1) {\n        exit();\n    }\n}"_s);
        // Enter between a pair of braces gives the cursor a line of its own.
        editor.setPlainText(u"kprobe:f {}"_s);
        editor.moveCursor(QTextCursor::End);
        editor.moveCursor(QTextCursor::Left);
        QTest::keyClick(&editor, Qt::Key_Return);
        QCOMPARE(editor.toPlainText(), u"kprobe:f {\n    \n}"_s);
        QCOMPARE(editor.textCursor().blockNumber(), 1);
        QCOMPARE(editor.textCursor().positionInBlock(), 4);
        // A brace that is not alone on its line stays where it is typed; Tab indents with spaces.
        editor.setPlainText(u"  x = {"_s);
        editor.moveCursor(QTextCursor::End);
        QTest::keyClicks(&editor, u"}"_s);
        QCOMPARE(editor.toPlainText(), u"  x = {}"_s);
        editor.setPlainText(u"ab"_s);
        editor.moveCursor(QTextCursor::End);
        QTest::keyClick(&editor, Qt::Key_Tab);
        QCOMPARE(editor.toPlainText(), u"ab  "_s);
        // One undo step per typed key, not per internal edit.
        editor.undo();
        QCOMPARE(editor.toPlainText(), u"ab"_s);
    }

    void toggleComment()
    {
        ScriptEditor editor;
        editor.setPlainText(u"BEGIN\n{\n    @x = 1;\n\n    exit();\n}\n"_s);
        QTextCursor cursor(editor.document()->findBlockByNumber(2));
        cursor.setPosition(editor.document()->findBlockByNumber(5).position(), QTextCursor::KeepAnchor);
        editor.setTextCursor(cursor);
        // The selection ends at the start of line 6, which stays as it is.
        editor.toggleComment();
        QCOMPARE(editor.toPlainText(), u"BEGIN\n{\n    // @x = 1;\n\n    // exit();\n}\n"_s);
        editor.toggleComment();
        QCOMPARE(editor.toPlainText(), u"BEGIN\n{\n    @x = 1;\n\n    exit();\n}\n"_s);
        // Without a selection: the cursor's line, through the Ctrl+/ action.
        editor.setTextCursor(QTextCursor(editor.document()->findBlockByNumber(0)));
        QAction *comment = nullptr;
        for (QAction *action : editor.editActions()) {
            if (action->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_Slash)))
                comment = action;
        }
        QVERIFY(comment);
        comment->trigger();
        QVERIFY(editor.toPlainText().startsWith(u"// BEGIN\n{"_s));
        // A mixed selection is commented, not uncommented.
        editor.selectAll();
        editor.toggleComment();
        QVERIFY(editor.toPlainText().startsWith(u"// // BEGIN\n// {\n//     @x"_s));
    }

    void bracketMatching()
    {
        ScriptEditor editor;
        editor.setPlainText(u"BEGIN { printf(\"(\"); }"_s);
        auto brackets = [&editor] {
            QList<int> positions;
            for (const auto &selection : editor.extraSelections()) {
                if (selection.format.property(QTextFormat::UserProperty).toString() == u"bracket")
                    positions.append(selection.cursor.selectionStart());
            }
            return positions;
        };
        QTextCursor cursor(editor.document());
        cursor.setPosition(6); // on '{'
        editor.setTextCursor(cursor);
        QCOMPARE(brackets(), QList<int>({ 6, int(editor.toPlainText().size() - 1) }));
        cursor.setPosition(15); // just after "printf(": the '(' before the cursor counts
        editor.setTextCursor(cursor);
        QCOMPARE(brackets(), QList<int>({ 14, int(editor.toPlainText().indexOf(u')')) }));
        cursor.setPosition(2);
        editor.setTextCursor(cursor);
        QVERIFY(brackets().isEmpty());
    }

    void statusLineNamesTheFirstErrorAndJumpsThere()
    {
        ScriptEditor editor;
        QLabel label;
        editor.setStatusLabel(&label);
        editor.setPlainText(u"BEGIN\n{\n    @x = 1;\n    histo(1);\n    foo();\n}\n"_s);
        editor.analyzeNow();
        QVERIFY(!editor.statusLine().contains(u"line"_s));
        auto error = [](int line, int column, const QString &message) {
            Diagnostic d;
            d.line = line;
            d.column = column;
            d.endColumn = column + 4;
            d.message = message;
            return d;
        };
        editor.setExternalDiagnostics(
            { error(5, 5, u"unknown function 'foo'"_s), error(4, 5, u"unknown function 'histo'"_s) });
        QVERIFY2(editor.statusLine().startsWith(u"line 4: unknown function 'histo' (and 1 more error) · "_s),
            qPrintable(editor.statusLine()));
        QVERIFY(!editor.statusLine().contains(u"2 errors"_s));
        editor.setExternalDiagnostics({ error(4, 5, u"unknown function 'histo'"_s) });
        QVERIFY(editor.statusLine().startsWith(u"line 4: unknown function 'histo' · "_s));
        // The label shows it as a link (escaped: messages quote the script).
        QVERIFY(label.text().contains(u"line 4: unknown function &#x27;histo&#x27;"_s)
            || label.text().contains(u"line 4: unknown function &#39;histo&#39;"_s)
            || label.text().contains(u"line 4: unknown function 'histo'"_s));
        QVERIFY(label.text().contains(u"href=\"line:4:5\""_s));

        // Clicking the error puts the cursor on it.
        label.resize(label.sizeHint());
        label.show();
        QVERIFY(QTest::qWaitForWindowExposed(&label));
        editor.moveCursor(QTextCursor::Start);
        QTest::mouseClick(&label, Qt::LeftButton, {}, QPoint(8, label.height() / 2));
        QTRY_COMPARE(editor.textCursor().blockNumber(), 3);
        QCOMPARE(editor.textCursor().positionInBlock(), 4);

        editor.setExternalDiagnostics({});
        QVERIFY(!label.text().contains(u"href"_s));
    }

    // A long line (a host's reason, a long error) is cut at the window's edge, whole in the
    // tooltip: it never makes the window wider.
    void longStatusLineDoesNotWidenTheWindow()
    {
        QWidget window;
        auto *layout = new QVBoxLayout(&window);
        auto *editor = new ScriptEditor(&window);
        auto *label = new QLabel(&window);
        layout->addWidget(editor);
        layout->addWidget(label);
        editor->setStatusLabel(label);
        editor->setPlainText(u"BEGIN { }"_s);
        const int before = window.minimumSizeHint().width();
        Diagnostic d;
        d.line = 1;
        d.message = u"ssh: "_s + QString(2000, u'x');
        editor->setExternalDiagnostics({ d });
        QVERIFY(label->text().contains(QString(2000, u'x')));
        QCOMPARE(window.minimumSizeHint().width(), before);
        QVERIFY(window.minimumSizeHint().width() < 1280);
        QVERIFY(label->toolTip().contains(QString(2000, u'x')));
        QVERIFY(label->toolTip().contains(u"Click to go to line 1"_s));
    }

    void editActionsFollowTheText()
    {
        ScriptEditor editor;
        auto find = [&editor](const QString &text) -> QAction * {
            for (QAction *action : editor.editActions()) {
                if (action->text().remove(u'&') == text)
                    return action;
            }
            return nullptr;
        };
        for (const QString &text :
            { u"Undo"_s, u"Redo"_s, u"Cut"_s, u"Copy"_s, u"Paste"_s, u"Select All"_s, u"Find…"_s, u"Find Next"_s,
                u"Find Previous"_s, u"Replace…"_s, u"Go to Line…"_s, u"Toggle Comment"_s, u"Complete"_s })
            QVERIFY2(find(text), qPrintable(text));
        QCOMPARE(find(u"Undo"_s)->shortcuts(), QKeySequence::keyBindings(QKeySequence::Undo));
        QCOMPARE(find(u"Copy"_s)->shortcuts(), QKeySequence::keyBindings(QKeySequence::Copy));
        QCOMPARE(find(u"Go to Line…"_s)->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_G));
        QCOMPARE(find(u"Replace…"_s)->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_H));
        // Ctrl+R is Run in the window; nothing here may take it.
        for (QAction *action : editor.editActions())
            QVERIFY(!action->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_R)));
        QVERIFY(!find(u"Undo"_s)->isEnabled());
        QVERIFY(!find(u"Copy"_s)->isEnabled());
        editor.insertPlainText(u"BEGIN { }"_s);
        QVERIFY(find(u"Undo"_s)->isEnabled());
        editor.selectAll();
        QVERIFY(find(u"Copy"_s)->isEnabled());
        QVERIFY(find(u"Cut"_s)->isEnabled());
        find(u"Undo"_s)->trigger();
        QVERIFY(editor.toPlainText().isEmpty());
        QVERIFY(find(u"Redo"_s)->isEnabled());
    }

    void dropInsertsText()
    {
        ScriptEditor editor;
        QVERIFY(editor.acceptDrops());
    }
};

QTEST_MAIN(TestScriptEditor)
#include "tst_scripteditor.moc"
