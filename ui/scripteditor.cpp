// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/scripteditor.h"

#include "ui/statuscolors.h"
#include "ui/syntaxsupport.h"

#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QTextBlock>
#include <QTextDocument>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace {
class LineNumberArea : public QWidget
{
public:
    explicit LineNumberArea(ScriptEditor *editor)
        : QWidget(editor)
        , m_editor(editor)
    { }
    QSize sizeHint() const override { return { m_editor->lineNumberAreaWidth(), 0 }; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintLineNumbers(event, this); }

private:
    ScriptEditor *m_editor;
};

QColor severityColor(Diagnostic::Severity severity)
{
    switch (severity) {
    case Diagnostic::Severity::Error:
        return StatusColors::text(StatusColors::Role::Negative);
    case Diagnostic::Severity::Warning:
        return StatusColors::text(StatusColors::Role::Neutral);
    case Diagnostic::Severity::Note:
        break;
    }
    return StatusColors::text(StatusColors::Role::Information);
}

QString severityLabel(Diagnostic::Severity severity)
{
    switch (severity) {
    case Diagnostic::Severity::Error:
        return ScriptEditor::tr("Error");
    case Diagnostic::Severity::Warning:
        return ScriptEditor::tr("Warning");
    case Diagnostic::Severity::Note:
        break;
    }
    return ScriptEditor::tr("Note");
}
} // namespace

ScriptEditor::ScriptEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_lineNumberArea(new LineNumberArea(this))
    , m_highlighter(new KSyntaxHighlighting::SyntaxHighlighter(document()))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(u' ') * 4);
    m_highlighter->setDefinition(SyntaxSupport::bpftraceDefinition());
    applyTheme();

    connect(this, &QPlainTextEdit::blockCountChanged, this, &ScriptEditor::updateLineNumberAreaWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &ScriptEditor::updateLineNumberArea);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &ScriptEditor::updateExtraSelections);
    updateLineNumberAreaWidth();

    // Two paces: the text analysis is pure and cheap, so it follows typing closely; the full one
    // starts bpftrace, so it waits for a real pause.
    m_instantTimer.setSingleShot(true);
    m_instantTimer.setInterval(250);
    m_fullTimer.setSingleShot(true);
    m_fullTimer.setInterval(1200);
    connect(&m_instantTimer, &QTimer::timeout, this, [this] {
        setAnalysis(ScriptAnalyzer::analyzeText(toPlainText()));
        m_fullTimer.start();
    });
    connect(&m_fullTimer, &QTimer::timeout, this, &ScriptEditor::startFullAnalysis);
    connect(document(), &QTextDocument::contentsChanged, this, [this] {
        // Results computed for older text are stale from now on.
        ++m_generation;
        if (m_liveAnalysis)
            m_instantTimer.start();
    });
}

ScriptEditor::~ScriptEditor() = default;

void ScriptEditor::setAnalyzer(ScriptAnalyzer *analyzer)
{
    m_analyzer = analyzer;
}

void ScriptEditor::setLiveAnalysis(bool enabled)
{
    m_liveAnalysis = enabled;
    if (!enabled) {
        m_instantTimer.stop();
        m_fullTimer.stop();
    }
}

void ScriptEditor::analyzeNow()
{
    m_instantTimer.stop();
    setAnalysis(ScriptAnalyzer::analyzeText(toPlainText()));
    if (m_analyzer)
        m_fullTimer.start();
}

void ScriptEditor::startFullAnalysis()
{
    if (!m_analyzer || !m_liveAnalysis)
        return;
    const quint64 generation = m_generation;
    m_analyzer->analyze(toPlainText(), this, [this, generation](const ScriptAnalysis &analysis) {
        if (generation == m_generation)
            setAnalysis(analysis);
    });
}

void ScriptEditor::setAnalysis(const ScriptAnalysis &analysis)
{
    m_analysis = analysis;
    updateExtraSelections();
    Q_EMIT analysisChanged(m_analysis);
}

void ScriptEditor::setExternalDiagnostics(const QList<Diagnostic> &diagnostics)
{
    m_external = diagnostics;
    updateExtraSelections();
}

void ScriptEditor::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    if (!isReadOnly()) {
        QTextEdit::ExtraSelection current;
        current.format.setBackground(m_currentLineColor);
        current.format.setProperty(QTextFormat::FullWidthSelection, true);
        current.cursor = textCursor();
        current.cursor.clearSelection();
        selections.append(current);
    }

    m_markers.clear();
    QList<Diagnostic> all = m_analysis.diagnostics + m_external;
    for (const Finding &finding : std::as_const(m_analysis.findings)) {
        if (finding.line <= 0 || finding.level == RiskLevel::Low)
            continue;
        Diagnostic d;
        d.severity = finding.level == RiskLevel::High ? Diagnostic::Severity::Warning : Diagnostic::Severity::Note;
        d.line = finding.line;
        d.message = finding.message;
        all.append(d);
    }
    for (const Diagnostic &diagnostic : std::as_const(all)) {
        // A diagnostic without a line still matters; it goes on the first line.
        const int line = diagnostic.line > 0 ? diagnostic.line : 1;
        const QTextBlock block = document()->findBlockByNumber(line - 1);
        if (!block.isValid())
            continue;
        const QString text = block.text();
        int start = 0;
        int end = text.size();
        if (diagnostic.column > 0) {
            start = qMin(diagnostic.column - 1, int(text.size()));
            end = diagnostic.endColumn >= diagnostic.column ? qMin(diagnostic.endColumn, int(text.size())) : start + 1;
        } else {
            while (start < end && text.at(start).isSpace())
                ++start;
        }
        if (end <= start) {
            // Mark something visible even on an empty line or past its end.
            start = qMax(0, int(text.size()) - 1);
            end = text.size();
        }
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(block);
        selection.cursor.setPosition(block.position() + start);
        selection.cursor.setPosition(block.position() + end, QTextCursor::KeepAnchor);
        selection.format.setUnderlineStyle(QTextCharFormat::SpellCheckUnderline);
        selection.format.setUnderlineColor(severityColor(diagnostic.severity));
        selection.format.setToolTip(diagnostic.message);
        selections.append(selection);
        Diagnostic marker = diagnostic;
        marker.line = line;
        marker.column = start + 1;
        marker.endColumn = end;
        m_markers.append(marker);
    }
    std::sort(m_markers.begin(), m_markers.end(), [](const Diagnostic &a, const Diagnostic &b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    setExtraSelections(selections);
}

QString ScriptEditor::markerToolTipAt(const QPoint &viewportPos) const
{
    const QTextCursor cursor = cursorForPosition(viewportPos);
    const int line = cursor.blockNumber() + 1;
    const int column = cursor.positionInBlock() + 1;
    QStringList messages;
    for (const Diagnostic &marker : m_markers) {
        // cursorForPosition() lands between characters; accept the character on either side.
        if (marker.line == line && column >= marker.column && column <= marker.endColumn + 1)
            messages.append(severityLabel(marker.severity) + u": "_s + marker.message);
    }
    return messages.join(u'\n');
}

bool ScriptEditor::viewportEvent(QEvent *event)
{
    // QAbstractScrollArea routes the viewport's tooltip events here, in viewport coordinates.
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = markerToolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            // Messages quote the script: shown as plain text, never as the rich text Qt guesses.
            QToolTip::showText(help->globalPos(), Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal), viewport());
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

void ScriptEditor::insertProbeSkeleton(const QString &probe)
{
    QTextCursor cursor = textCursor();
    cursor.beginEditBlock();
    // Probes belong at the top level, so never split a line: go to the end of the current one.
    cursor.movePosition(QTextCursor::EndOfBlock);
    QString prefix;
    if (!cursor.block().text().trimmed().isEmpty())
        prefix = u"\n\n"_s;
    else if (cursor.block().previous().isValid() && !cursor.block().previous().text().trimmed().isEmpty())
        prefix = u"\n"_s;
    cursor.insertText(prefix + probe + u"\n{\n    "_s);
    const int inside = cursor.position();
    cursor.insertText(u"\n}\n"_s);
    cursor.setPosition(inside);
    cursor.endEditBlock();
    setTextCursor(cursor);
    setFocus();
}

void ScriptEditor::applyTheme()
{
    const KSyntaxHighlighting::Theme theme = SyntaxSupport::themeFor(palette());
    m_highlighter->setTheme(theme);
    m_highlighter->rehighlight();
    m_lineNumberColor = QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::LineNumbers));
    m_currentLineNumberColor = QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::CurrentLineNumber));
    m_lineNumberBackground = QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::IconBorder));
    m_currentLineColor = QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::CurrentLine));
    updateExtraSelections();
    m_lineNumberArea->update();
}

void ScriptEditor::changeEvent(QEvent *event)
{
    // We never set our own palette, so these come from the application's (light/dark switch).
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyTheme();
    else if (event->type() == QEvent::FontChange)
        updateLineNumberAreaWidth();
    QPlainTextEdit::changeEvent(event);
}

int ScriptEditor::lineNumberAreaWidth() const
{
    int digits = 1;
    for (int max = qMax(1, blockCount()); max >= 10; max /= 10)
        ++digits;
    return 10 + fontMetrics().horizontalAdvance(u'9') * qMax(digits, 3);
}

void ScriptEditor::updateLineNumberAreaWidth()
{
    setViewportMargins(lineNumberAreaWidth(), 0, 0, 0);
}

void ScriptEditor::updateLineNumberArea(const QRect &rect, int dy)
{
    if (dy)
        m_lineNumberArea->scroll(0, dy);
    else
        m_lineNumberArea->update(0, rect.y(), m_lineNumberArea->width(), rect.height());
    if (rect.contains(viewport()->rect()))
        updateLineNumberAreaWidth();
}

void ScriptEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect cr = contentsRect();
    m_lineNumberArea->setGeometry(QRect(cr.left(), cr.top(), lineNumberAreaWidth(), cr.height()));
}

void ScriptEditor::paintLineNumbers(QPaintEvent *event, QWidget *area)
{
    QPainter painter(area);
    painter.fillRect(event->rect(), m_lineNumberBackground);

    QSet<int> markedLines;
    for (const Diagnostic &marker : std::as_const(m_markers))
        markedLines.insert(marker.line);

    QTextBlock block = firstVisibleBlock();
    int number = block.blockNumber();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    const int currentNumber = textCursor().blockNumber();
    const int width = area->width() - 5;
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            const bool current = number == currentNumber;
            QFont font = painter.font();
            font.setBold(current);
            painter.setFont(font);
            painter.setPen(markedLines.contains(number + 1) ? severityColor(Diagnostic::Severity::Error)
                    : current                               ? m_currentLineNumberColor
                                                            : m_lineNumberColor);
            painter.drawText(0, top, width, fontMetrics().height(), Qt::AlignRight, QString::number(number + 1));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
        ++number;
    }
}
