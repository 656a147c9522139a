// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/scripteditor.h"

#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>

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

    void dropInsertsText()
    {
        ScriptEditor editor;
        QVERIFY(editor.acceptDrops());
    }
};

QTEST_MAIN(TestScriptEditor)
#include "tst_scripteditor.moc"
