// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/scripteditor.h"

#include "engine/analysissummary.h"
#include "engine/inerttext.h"
#include "ui/findreplacebar.h"
#include "ui/gotolinebar.h"
#include "ui/scriptcompleter.h"
#include "ui/statuscolors.h"
#include "ui/syntaxsupport.h"
#include "ui/uihelpers.h"

#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QAction>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextDocument>
#include <QToolTip>

#include <array>
#include <limits>
#include <memory>
#include <optional>

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

constexpr int indentWidth = 4;

QString leadingSpace(const QString &line)
{
    qsizetype n = 0;
    while (n < line.size() && (line.at(n) == u' ' || line.at(n) == u'\t'))
        ++n;
    return line.left(n);
}

/// A standard key's sequences without those the editor gives another meaning (Ctrl+G is "go to
/// line" here, though some platforms also bind it to "find next").
QList<QKeySequence> standardKeys(QKeySequence::StandardKey key, const QList<QKeySequence> &extra = {})
{
    static const QList<QKeySequence> taken { QKeySequence(Qt::CTRL | Qt::Key_G), QKeySequence(Qt::CTRL | Qt::Key_H),
        QKeySequence(Qt::CTRL | Qt::Key_R), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G) };
    QList<QKeySequence> keys;
    for (const QKeySequence &sequence : QKeySequence::keyBindings(key)) {
        if (!taken.contains(sequence))
            keys.append(sequence);
    }
    for (const QKeySequence &sequence : extra) {
        if (!keys.contains(sequence))
            keys.append(sequence);
    }
    return keys;
}

QString toolTipHtml(const QString &diagnostics, const QString &help)
{
    // Messages and help quote the script: escaped, never the rich text Qt guesses.
    QStringList parts;
    if (!diagnostics.isEmpty())
        parts.append(Qt::convertFromPlainText(diagnostics, Qt::WhiteSpaceNormal));
    if (!help.isEmpty()) {
        QStringList lines = help.split(u'\n');
        for (QString &line : lines)
            line = line.toHtmlEscaped().replace(u"    "_s, u"&nbsp;&nbsp;&nbsp;&nbsp;"_s);
        lines.first() = u"<b>"_s + lines.first() + u"</b>"_s;
        parts.append(u"<p style='white-space:pre-wrap'>"_s + lines.join(u"<br>"_s) + u"</p>"_s);
    }
    return parts.join(u"<hr>"_s);
}
} // namespace

ScriptEditor::ScriptEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_lineNumberArea(new LineNumberArea(this))
    , m_highlighter(new KSyntaxHighlighting::SyntaxHighlighter(document()))
    , m_completer(new ScriptCompleter(this))
    , m_findBar(new FindReplaceBar(this, this))
    , m_goToLineBar(new GoToLineBar(this, this))
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
    connect(m_findBar, &FindReplaceBar::matchesChanged, this, &ScriptEditor::updateExtraSelections);
    connect(m_findBar, &FindReplaceBar::closed, this, &ScriptEditor::layoutBars);
    connect(m_goToLineBar, &GoToLineBar::closed, this, &ScriptEditor::layoutBars);
    connect(m_completer, &ScriptCompleter::detailsArrived, this, [this] {
        // Hover help that said "Loading arguments…" can say them now.
        if (QToolTip::isVisible())
            showToolTip(m_toolTipPos, viewport()->mapToGlobal(m_toolTipPos));
    });
    createEditActions();
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

void ScriptEditor::setTargetAnalyzers(
    const QString &where, const QList<std::pair<QString, ScriptAnalyzer *>> &analyzers)
{
    m_targetAnalyzers.clear();
    for (const auto &[target, analyzer] : analyzers)
        m_targetAnalyzers.append({ target, analyzer });
    m_where = analyzers.isEmpty() ? QString() : where;
    ++m_generation; // an answer from the targets before is not about these
    if (m_liveAnalysis)
        analyzeNow();
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
    if (m_analyzer || !m_targetAnalyzers.isEmpty())
        m_fullTimer.start();
}

void ScriptEditor::startFullAnalysis()
{
    if (!m_liveAnalysis)
        return;
    const quint64 generation = m_generation;
    if (m_targetAnalyzers.isEmpty()) {
        if (m_analyzer) {
            m_analyzer->analyze(toPlainText(), this, [this, generation](const ScriptAnalysis &analysis) {
                if (generation == m_generation)
                    setAnalysis(analysis);
            });
        }
        return;
    }
    // Every target answers in its own time; the line changes once all of them have.
    ScriptAnalyzer::analyzeOnTargets(
        toPlainText(), m_targetAnalyzers, this, {}, [this, generation](const ScriptAnalyzer::PerTarget &perTarget) {
            if (generation != m_generation)
                return;
            setAnalysis(perTarget.size() == 1 ? perTarget.constFirst().second : ScriptAnalysis::worstOf(perTarget));
        });
}

void ScriptEditor::setAnalysis(const ScriptAnalysis &analysis)
{
    m_analysis = analysis;
    updateExtraSelections();
    updateStatusLabel();
    Q_EMIT analysisChanged(m_analysis);
}

void ScriptEditor::setExternalDiagnostics(const QList<Diagnostic> &diagnostics)
{
    m_external = diagnostics;
    updateExtraSelections();
    updateStatusLabel();
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

    for (const QTextCursor &match : m_findBar->matches()) {
        QTextEdit::ExtraSelection selection;
        selection.cursor = match;
        selection.format.setBackground(m_searchColor);
        selections.append(selection);
    }

    // The bracket at (or just before) the cursor and its partner.
    const QTextCursor cursor = textCursor();
    if (!cursor.hasSelection()) {
        const QString text = toPlainText();
        const QList<ScriptCompletion::Lexical> lexical = ScriptCompletion::lex(text);
        for (const int at : { cursor.position(), cursor.position() - 1 }) {
            const int partner = ScriptCompletion::matchingBracket(text, lexical, at);
            if (partner < 0)
                continue;
            for (const int position : { at, partner }) {
                QTextEdit::ExtraSelection selection;
                selection.cursor = QTextCursor(document());
                selection.cursor.setPosition(position);
                selection.cursor.setPosition(position + 1, QTextCursor::KeepAnchor);
                selection.format.setBackground(m_bracketColor);
                selection.format.setFontWeight(QFont::Bold);
                selection.format.setProperty(QTextFormat::UserProperty, u"bracket"_s);
                selections.append(selection);
            }
            break;
        }
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

QString ScriptEditor::helpToolTipAt(const QPoint &viewportPos) const
{
    const QTextCursor cursor = cursorForPosition(viewportPos);
    // Past the end of a line there is no word under the mouse.
    const QRect line = cursorRect(QTextCursor(cursor.block()));
    if (viewportPos.y() < line.top() || viewportPos.y() > line.bottom() + 1)
        return {};
    if (cursor.atBlockEnd() && viewportPos.x() > cursorRect(cursor).x() + fontMetrics().averageCharWidth())
        return {};
    // cursorForPosition() lands between characters: the one under the mouse is on either side.
    const int position = cursor.position();
    const bool leftHalf = viewportPos.x() < cursorRect(cursor).center().x();
    // An array, not a conditional between two initializer lists: the arrays behind those would
    // end with the range expression, before the loop reads them.
    const std::array<int, 2> order
        = leftHalf ? std::array { position - 1, position } : std::array { position, position - 1 };
    for (const int at : order) {
        if (at < cursor.block().position() || at >= cursor.block().position() + cursor.block().length() - 1)
            continue;
        const QString help = m_completer->helpAt(at);
        if (!help.isEmpty())
            return help;
    }
    return {};
}

void ScriptEditor::showToolTip(const QPoint &viewportPos, const QPoint &globalPos)
{
    m_toolTipPos = viewportPos;
    const QString html = toolTipHtml(markerToolTipAt(viewportPos), helpToolTipAt(viewportPos));
    if (html.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(globalPos, html, viewport());
}

bool ScriptEditor::viewportEvent(QEvent *event)
{
    // QAbstractScrollArea routes the viewport's tooltip events here, in viewport coordinates.
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        showToolTip(help->pos(), help->globalPos());
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

void ScriptEditor::setCatalog(ProbeCatalog *catalog)
{
    m_completer->setCatalog(catalog);
}

void ScriptEditor::setCapabilities(Capabilities *capabilities)
{
    m_completer->setCapabilities(capabilities);
}

void ScriptEditor::createEditActions()
{
    auto add = [this](const QString &icon, const QString &text, const QList<QKeySequence> &keys, auto slot) {
        auto *action = new QAction(QIcon::fromTheme(icon), text, this);
        action->setShortcuts(keys);
        // Only while the editor (or its find bar) has the focus: Ctrl+A in the run list selects
        // rows, not the script.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_editActions.append(action);
        return action;
    };
    auto separator = [this] {
        auto *action = new QAction(this);
        action->setSeparator(true);
        m_editActions.append(action);
    };
    QAction *undoAction
        = add(u"edit-undo"_s, tr("&Undo"), QKeySequence::keyBindings(QKeySequence::Undo), [this] { undo(); });
    QAction *redoAction
        = add(u"edit-redo"_s, tr("Re&do"), QKeySequence::keyBindings(QKeySequence::Redo), [this] { redo(); });
    undoAction->setEnabled(false);
    redoAction->setEnabled(false);
    connect(this, &QPlainTextEdit::undoAvailable, undoAction, &QAction::setEnabled);
    connect(this, &QPlainTextEdit::redoAvailable, redoAction, &QAction::setEnabled);
    separator();
    QAction *cutAction
        = add(u"edit-cut"_s, tr("Cu&t"), QKeySequence::keyBindings(QKeySequence::Cut), [this] { cut(); });
    QAction *copyAction
        = add(u"edit-copy"_s, tr("&Copy"), QKeySequence::keyBindings(QKeySequence::Copy), [this] { copy(); });
    add(u"edit-paste"_s, tr("&Paste"), QKeySequence::keyBindings(QKeySequence::Paste), [this] { paste(); });
    add(u"edit-select-all"_s, tr("Select &All"), QKeySequence::keyBindings(QKeySequence::SelectAll),
        [this] { selectAll(); });
    cutAction->setEnabled(false);
    copyAction->setEnabled(false);
    connect(this, &QPlainTextEdit::copyAvailable, copyAction, &QAction::setEnabled);
    connect(this, &QPlainTextEdit::copyAvailable, cutAction,
        [this, cutAction](bool yes) { cutAction->setEnabled(yes && !isReadOnly()); });
    separator();
    add(u"edit-find"_s, tr("&Find…"), standardKeys(QKeySequence::Find), [this] { openFind(); });
    add(u"go-down-search"_s, tr("Find &Next"), standardKeys(QKeySequence::FindNext, { QKeySequence(Qt::Key_F3) }),
        [this] {
            m_findBar->findNext();
            layoutBars();
        });
    add(u"go-up-search"_s, tr("Find Pre&vious"),
        standardKeys(QKeySequence::FindPrevious, { QKeySequence(Qt::SHIFT | Qt::Key_F3) }), [this] {
            m_findBar->findPrevious();
            layoutBars();
        });
    // Ctrl+R runs the script; Ctrl+H is the other usual replace key.
    add(u"edit-find-replace"_s, tr("&Replace…"), { QKeySequence(Qt::CTRL | Qt::Key_H) }, [this] { openReplace(); });
    separator();
    add(u"go-jump"_s, tr("&Go to Line…"), { QKeySequence(Qt::CTRL | Qt::Key_G) }, [this] { openGoToLine(); });
    add(u"edit-comment"_s, tr("Toggle C&omment"), { QKeySequence(Qt::CTRL | Qt::Key_Slash) },
        [this] { toggleComment(); });
    add(u"code-context"_s, tr("Co&mplete"), { QKeySequence(Qt::CTRL | Qt::Key_Space) },
        [this] { m_completer->complete(false); });
}

void ScriptEditor::openFind()
{
    m_goToLineBar->hide();
    m_findBar->open(false);
    layoutBars();
}

void ScriptEditor::openReplace()
{
    m_goToLineBar->hide();
    m_findBar->open(!isReadOnly());
    layoutBars();
}

void ScriptEditor::openGoToLine()
{
    m_findBar->close();
    m_goToLineBar->open();
    layoutBars();
}

void ScriptEditor::layoutBars()
{
    // The bars sit under the text, inside the editor, so every view of a script brings its own.
    int height = 0;
    for (QWidget *bar : { static_cast<QWidget *>(m_findBar), static_cast<QWidget *>(m_goToLineBar) }) {
        if (bar->isVisibleTo(this))
            height += bar->sizeHint().height();
    }
    setViewportMargins(lineNumberAreaWidth(), 0, 0, height);
    const QRect cr = contentsRect();
    const QRect view = viewport()->geometry();
    int y = view.bottom() + 1;
    for (QWidget *bar : { static_cast<QWidget *>(m_findBar), static_cast<QWidget *>(m_goToLineBar) }) {
        if (!bar->isVisibleTo(this))
            continue;
        const int h = bar->sizeHint().height();
        bar->setGeometry(cr.left(), y, view.right() + 1 - cr.left(), h);
        bar->raise();
        y += h;
    }
}

void ScriptEditor::goToLine(int line, int column)
{
    const QTextBlock block = document()->findBlockByNumber(qBound(1, line, blockCount()) - 1);
    QTextCursor cursor(block);
    if (column > 0)
        cursor.setPosition(block.position() + qMin(column - 1, block.length() - 1));
    setTextCursor(cursor);
    centerCursor();
    setFocus(Qt::OtherFocusReason);
}

void ScriptEditor::toggleComment()
{
    if (isReadOnly())
        return;
    QTextCursor cursor = textCursor();
    QTextBlock first = document()->findBlock(cursor.selectionStart());
    QTextBlock last = document()->findBlock(cursor.selectionEnd());
    // A selection ending at the start of a line does not take that line in.
    if (cursor.hasSelection() && last != first && cursor.selectionEnd() == last.position())
        last = last.previous();
    QList<QTextBlock> blocks;
    for (QTextBlock block = first; block.isValid(); block = block.next()) {
        blocks.append(block);
        if (block == last)
            break;
    }
    bool allComments = true;
    bool anyText = false;
    qsizetype indent = std::numeric_limits<qsizetype>::max();
    for (const QTextBlock &block : std::as_const(blocks)) {
        const QString text = block.text();
        if (text.trimmed().isEmpty())
            continue;
        anyText = true;
        indent = qMin(indent, leadingSpace(text).size());
        if (!text.trimmed().startsWith(u"//"_s))
            allComments = false;
    }
    if (!anyText) {
        allComments = false;
        indent = leadingSpace(first.text()).size();
    }
    QTextCursor edit(document());
    edit.beginEditBlock();
    for (const QTextBlock &block : std::as_const(blocks)) {
        const QString text = block.text();
        if (anyText && text.trimmed().isEmpty())
            continue;
        if (allComments) {
            const qsizetype at = leadingSpace(text).size();
            const qsizetype length = text.mid(at, 3) == u"// "_s ? 3 : 2;
            edit.setPosition(block.position() + int(at));
            edit.setPosition(block.position() + int(at + length), QTextCursor::KeepAnchor);
            edit.removeSelectedText();
        } else {
            edit.setPosition(block.position() + int(qMin(indent, text.size())));
            edit.insertText(u"// "_s);
        }
    }
    edit.endEditBlock();
}

void ScriptEditor::keyPressEvent(QKeyEvent *event)
{
    if (m_completer->handleKey(event))
        return;
    if (event->key() == Qt::Key_Space && event->modifiers() == Qt::ControlModifier) {
        m_completer->complete(false);
        return;
    }
    if (!isReadOnly() && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))) {
        switch (event->key()) {
        case Qt::Key_Return:
        case Qt::Key_Enter:
            if (!(event->modifiers() & Qt::ShiftModifier)) {
                insertNewline();
                return;
            }
            break;
        case Qt::Key_BraceRight:
            insertClosingBrace();
            return;
        case Qt::Key_Tab:
            if (!textCursor().hasSelection()) {
                insertIndent();
                return;
            }
            break;
        default:
            if (event->text() == u"}") {
                insertClosingBrace();
                return;
            }
            break;
        }
    }
    if (event->key() == Qt::Key_Escape && (m_findBar->isVisible() || m_goToLineBar->isVisible())) {
        m_findBar->close();
        m_goToLineBar->close();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
    m_completer->afterKey(event);
}

void ScriptEditor::insertNewline()
{
    QTextCursor cursor = textCursor();
    const QString line = cursor.block().text();
    const int column = cursor.positionInBlock();
    const QString before = line.left(column).trimmed();
    const QString after = line.mid(column).trimmed();
    const QString indent = leadingSpace(line);
    const QString inner = indent + QString(indentWidth, u' ');
    cursor.beginEditBlock();
    cursor.removeSelectedText();
    // White space after the cursor would push the new line's text off its indentation.
    while (
        cursor.positionInBlock() < cursor.block().length() - 1 && document()->characterAt(cursor.position()).isSpace())
        cursor.deleteChar();
    if (before.endsWith(u'{') && after.startsWith(u'}')) {
        // Between a pair: the cursor gets a line of its own and the brace goes under the opener.
        cursor.insertText(u'\n' + inner);
        const int inside = cursor.position();
        cursor.insertText(u'\n' + indent);
        cursor.setPosition(inside);
    } else {
        cursor.insertText(u'\n' + (before.endsWith(u'{') ? inner : indent));
    }
    cursor.endEditBlock();
    setTextCursor(cursor);
    ensureCursorVisible();
}

void ScriptEditor::insertClosingBrace()
{
    QTextCursor cursor = textCursor();
    cursor.beginEditBlock();
    cursor.insertText(u"}"_s);
    const QTextBlock block = cursor.block();
    const QString line = block.text();
    // Only a brace alone on its line moves: "} else {" and "x = {}" stay as typed.
    if (line.trimmed() == u"}") {
        const QString text = toPlainText();
        const int partner = ScriptCompletion::matchingBracket(text, ScriptCompletion::lex(text), cursor.position() - 1);
        if (partner >= 0) {
            const QString indent = leadingSpace(document()->findBlock(partner).text());
            QTextCursor fix(block);
            fix.setPosition(block.position() + int(leadingSpace(line).size()), QTextCursor::KeepAnchor);
            fix.insertText(indent);
        }
    }
    cursor.endEditBlock();
    setTextCursor(cursor);
}

void ScriptEditor::insertIndent()
{
    QTextCursor cursor = textCursor();
    const int spaces = indentWidth - cursor.positionInBlock() % indentWidth;
    cursor.insertText(QString(spaces, u' '));
    setTextCursor(cursor);
}

void ScriptEditor::focusOutEvent(QFocusEvent *event)
{
    m_completer->hidePopup();
    QPlainTextEdit::focusOutEvent(event);
}

void ScriptEditor::mousePressEvent(QMouseEvent *event)
{
    m_completer->hidePopup();
    QPlainTextEdit::mousePressEvent(event);
}

bool ScriptEditor::firstError(Diagnostic *error) const
{
    std::optional<Diagnostic> first;
    for (const QList<Diagnostic> *list : { &m_analysis.diagnostics, &m_external }) {
        for (const Diagnostic &diagnostic : *list) {
            if (diagnostic.severity != Diagnostic::Severity::Error)
                continue;
            // No line sorts first: nothing says where else to look.
            if (!first || diagnostic.line < first->line
                || (diagnostic.line == first->line && diagnostic.column < first->column))
                first = diagnostic;
        }
    }
    if (first && error)
        *error = *first;
    return first.has_value();
}

namespace {
int errorCount(const ScriptAnalysis &analysis, const QList<Diagnostic> &external)
{
    int count = 0;
    for (const Diagnostic &d : analysis.diagnostics)
        count += d.severity == Diagnostic::Severity::Error;
    for (const Diagnostic &d : external) {
        // A run's compile errors are often the same ones the check found.
        if (d.severity == Diagnostic::Severity::Error && !analysis.diagnostics.contains(d))
            ++count;
    }
    return count;
}

QString errorText(const Diagnostic &error, int count)
{
    const QString message = InertText::line(error.message);
    QString text = error.line > 0 ? ScriptEditor::tr("line %1: %2").arg(error.line).arg(message) : message;
    if (count > 1)
        text = ScriptEditor::tr("%1 (and %n more errors)", "", count - 1).arg(text);
    return text;
}

QString summaryWithoutErrors(ScriptAnalysis analysis)
{
    // The summary counts errors; the first one is named instead.
    analysis.diagnostics.removeIf([](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; });
    return AnalysisSummary::statusLine(analysis);
}
} // namespace

QString ScriptEditor::summary() const
{
    // It can quote a remote host's stderr (why bpftrace could not check the script there): one
    // line, hidden characters shown, as every text from elsewhere.
    return InertText::line(summaryWithoutErrors(m_analysis));
}

QString ScriptEditor::wherePrefix() const
{
    // First, so that a long reason cannot push it out of sight.
    return m_where.isEmpty() ? QString() : tr("On %1: ").arg(m_where);
}

QString ScriptEditor::statusLine() const
{
    const QString line = summary();
    Diagnostic error;
    if (!firstError(&error))
        return wherePrefix() + line;
    return wherePrefix() + errorText(error, errorCount(m_analysis, m_external)) + u" · "_s + line;
}

void ScriptEditor::setStatusLabel(QLabel *label)
{
    m_statusLabel = label;
    if (!label)
        return;
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    // A long line (a host's reason why it could not check the script) is cut at the edge, whole
    // in the tooltip; it must not make the window wider than the screen.
    label->setSizePolicy(QSizePolicy::Ignored, label->sizePolicy().verticalPolicy());
    label->setMinimumWidth(0);
    connect(label, &QLabel::linkActivated, this, [this](const QString &link) {
        // "line:4:5"
        const QStringList parts = link.split(u':');
        if (parts.size() == 3 && parts.first() == u"line")
            goToLine(parts.at(1).toInt(), parts.at(2).toInt());
    });
    updateStatusLabel();
}

void ScriptEditor::updateStatusLabel()
{
    if (!m_statusLabel)
        return;
    const QString where = wherePrefix().toHtmlEscaped();
    const QString line = summary().toHtmlEscaped();
    Diagnostic error;
    if (!firstError(&error)) {
        m_statusLabel->setText(where + line);
        m_statusLabel->setToolTip(UiHelpers::plainToolTip(statusLine()));
        return;
    }
    const QString color = severityColor(Diagnostic::Severity::Error).name();
    m_statusLabel->setText(u"%1<a href=\"line:%2:%3\" style=\"color:%4\">%5</a> · %6"_s.arg(where)
            .arg(qMax(1, error.line))
            .arg(error.column)
            .arg(color, errorText(error, errorCount(m_analysis, m_external)).toHtmlEscaped(), line));
    m_statusLabel->setToolTip(
        UiHelpers::plainToolTip(tr("Click to go to line %1").arg(qMax(1, error.line)) + u'\n' + statusLine()));
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
    m_bracketColor = QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::BracketMatching));
    m_searchColor = QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::SearchHighlight));
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
    layoutBars();
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
    layoutBars();
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
