// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/findreplacebar.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTextBlock>
#include <QToolButton>

#include <algorithm>

using namespace Qt::StringLiterals;

FindReplaceBar::FindReplaceBar(QPlainTextEdit *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
    , m_find(new QLineEdit(this))
    , m_replace(new QLineEdit(this))
    , m_matchCase(new QCheckBox(tr("Match case"), this))
    , m_wholeWords(new QCheckBox(tr("Whole words"), this))
    , m_count(new QLabel(this))
    , m_replaceLabel(new QLabel(tr("Replace:"), this))
    , m_replaceButton(new QPushButton(tr("Replace"), this))
    , m_replaceAllButton(new QPushButton(tr("Replace All"), this))
{
    setObjectName(u"findReplaceBar"_s);
    setAutoFillBackground(true);
    m_find->setPlaceholderText(tr("Find"));
    m_find->setClearButtonEnabled(true);
    m_find->setAccessibleName(tr("Text to find"));
    m_replace->setPlaceholderText(tr("Replace with"));
    m_replace->setAccessibleName(tr("Replacement text"));
    m_count->setMinimumWidth(fontMetrics().horizontalAdvance(tr("No matches")) + 8);

    auto *previous = new QToolButton(this);
    previous->setIcon(QIcon::fromTheme(u"go-up-search"_s, QIcon::fromTheme(u"go-up"_s)));
    previous->setText(tr("Previous"));
    previous->setToolTip(tr("Find the previous match (Shift+F3)"));
    previous->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *next = new QToolButton(this);
    next->setIcon(QIcon::fromTheme(u"go-down-search"_s, QIcon::fromTheme(u"go-down"_s)));
    next->setText(tr("Next"));
    next->setToolTip(tr("Find the next match (F3)"));
    next->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *closeButton = new QToolButton(this);
    closeButton->setIcon(QIcon::fromTheme(u"dialog-close"_s, QIcon::fromTheme(u"window-close"_s)));
    closeButton->setText(u"×"_s);
    closeButton->setAutoRaise(true);
    closeButton->setToolTip(tr("Close (Escape)"));
    closeButton->setAccessibleName(tr("Close the find bar"));

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(4, 3, 4, 3);
    layout->setVerticalSpacing(3);
    layout->addWidget(new QLabel(tr("Find:"), this), 0, 0);
    layout->addWidget(m_find, 0, 1);
    layout->addWidget(previous, 0, 2);
    layout->addWidget(next, 0, 3);
    layout->addWidget(m_matchCase, 0, 4);
    layout->addWidget(m_wholeWords, 0, 5);
    layout->addWidget(m_count, 0, 6);
    layout->addWidget(closeButton, 0, 7);
    layout->addWidget(m_replaceLabel, 1, 0);
    layout->addWidget(m_replace, 1, 1);
    layout->addWidget(m_replaceButton, 1, 2, 1, 2);
    layout->addWidget(m_replaceAllButton, 1, 4);
    layout->setColumnStretch(1, 1);

    connect(m_find, &QLineEdit::textEdited, this, [this] {
        updateMatches();
        // Incremental: each keystroke searches again from where the search began.
        find(false, m_anchor);
    });
    connect(previous, &QToolButton::clicked, this, &FindReplaceBar::findPrevious);
    connect(next, &QToolButton::clicked, this, &FindReplaceBar::findNext);
    connect(closeButton, &QToolButton::clicked, this, &FindReplaceBar::close);
    connect(m_replaceButton, &QPushButton::clicked, this, &FindReplaceBar::replaceCurrent);
    connect(m_replaceAllButton, &QPushButton::clicked, this, &FindReplaceBar::replaceAll);
    connect(m_matchCase, &QCheckBox::toggled, this, &FindReplaceBar::updateMatches);
    connect(m_wholeWords, &QCheckBox::toggled, this, &FindReplaceBar::updateMatches);
    connect(m_editor->document(), &QTextDocument::contentsChanged, this, [this] {
        if (isVisible())
            updateMatches();
    });
    for (QWidget *field : { static_cast<QWidget *>(m_find), static_cast<QWidget *>(m_replace) })
        field->installEventFilter(this);
    hide();
}

void FindReplaceBar::open(bool replace)
{
    const QTextCursor cursor = m_editor->textCursor();
    const QString selected = cursor.selectedText();
    // A selection across lines is a range to look at, not a text to look for.
    if (!selected.isEmpty() && !selected.contains(QChar::ParagraphSeparator))
        m_find->setText(selected);
    m_anchor = cursor.selectionStart();
    for (QWidget *widget : { static_cast<QWidget *>(m_replaceLabel), static_cast<QWidget *>(m_replace),
             static_cast<QWidget *>(m_replaceButton), static_cast<QWidget *>(m_replaceAllButton) })
        widget->setVisible(replace);
    const bool editable = !m_editor->isReadOnly();
    m_replace->setEnabled(editable);
    m_replaceButton->setEnabled(editable);
    m_replaceAllButton->setEnabled(editable);
    show();
    updateMatches();
    QLineEdit *field = replace && !m_find->text().isEmpty() ? m_replace : m_find;
    field->setFocus(Qt::ShortcutFocusReason);
    field->selectAll();
}

void FindReplaceBar::close()
{
    if (!isVisible())
        return;
    hide();
    m_matches.clear();
    m_status.clear();
    m_editor->setFocus(Qt::OtherFocusReason);
    Q_EMIT matchesChanged();
    Q_EMIT closed();
}

bool FindReplaceBar::isReplaceShown() const
{
    return isVisible() && m_replace->isVisible();
}

void FindReplaceBar::setMatchCase(bool on)
{
    m_matchCase->setChecked(on);
}

void FindReplaceBar::setWholeWords(bool on)
{
    m_wholeWords->setChecked(on);
}

QString FindReplaceBar::statusText() const
{
    return m_status;
}

void FindReplaceBar::updateMatches()
{
    m_matches.clear();
    const QString needle = m_find->text();
    if (needle.isEmpty()) {
        m_status.clear();
    } else {
        QString pattern = QRegularExpression::escape(needle);
        if (m_wholeWords->isChecked())
            pattern = u"(?<![\\w])"_s + pattern + u"(?![\\w])"_s;
        QRegularExpression::PatternOptions options = QRegularExpression::UseUnicodePropertiesOption;
        if (!m_matchCase->isChecked())
            options |= QRegularExpression::CaseInsensitiveOption;
        const QRegularExpression re(pattern, options);
        // toPlainText() positions are document positions: one character per block separator.
        const QString text = m_editor->document()->toPlainText();
        for (auto it = re.globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch match = it.next();
            QTextCursor cursor(m_editor->document());
            cursor.setPosition(int(match.capturedStart()));
            cursor.setPosition(int(match.capturedEnd()), QTextCursor::KeepAnchor);
            m_matches.append(cursor);
        }
        m_status = m_matches.isEmpty() ? tr("No matches") : tr("%n matches", "", int(m_matches.size()));
    }
    m_count->setText(m_status);
    Q_EMIT matchesChanged();
}

bool FindReplaceBar::find(bool backward, int from)
{
    if (m_matches.isEmpty())
        return false;
    const QTextCursor *target = nullptr;
    if (backward) {
        for (auto it = m_matches.crbegin(); it != m_matches.crend() && !target; ++it) {
            if (it->selectionEnd() <= from)
                target = &*it;
        }
        if (!target)
            target = &m_matches.constLast();
    } else {
        for (const QTextCursor &match : std::as_const(m_matches)) {
            if (match.selectionStart() >= from) {
                target = &match;
                break;
            }
        }
        if (!target)
            target = &m_matches.constFirst();
    }
    m_editor->setTextCursor(*target);
    m_editor->centerCursor();
    return true;
}

bool FindReplaceBar::findNext()
{
    if (!isVisible())
        open(false);
    const QTextCursor cursor = m_editor->textCursor();
    // Past the selected match, else from the cursor.
    return find(false, isMatch(cursor) ? cursor.selectionStart() + 1 : cursor.position());
}

bool FindReplaceBar::findPrevious()
{
    if (!isVisible())
        open(false);
    const QTextCursor cursor = m_editor->textCursor();
    return find(true, isMatch(cursor) ? cursor.selectionEnd() - 1 : cursor.position());
}

bool FindReplaceBar::isMatch(const QTextCursor &cursor) const
{
    if (!cursor.hasSelection())
        return false;
    return std::any_of(m_matches.cbegin(), m_matches.cend(), [&cursor](const QTextCursor &match) {
        return match.selectionStart() == cursor.selectionStart() && match.selectionEnd() == cursor.selectionEnd();
    });
}

bool FindReplaceBar::replaceCurrent()
{
    if (m_editor->isReadOnly())
        return false;
    QTextCursor cursor = m_editor->textCursor();
    if (!isMatch(cursor))
        return findNext();
    cursor.insertText(m_replace->text());
    m_editor->setTextCursor(cursor);
    updateMatches();
    find(false, cursor.position());
    return true;
}

int FindReplaceBar::replaceAll()
{
    if (m_editor->isReadOnly() || m_matches.isEmpty())
        return 0;
    QList<std::pair<int, int>> ranges;
    for (const QTextCursor &match : std::as_const(m_matches))
        ranges.append({ match.selectionStart(), match.selectionEnd() });
    const QString replacement = m_replace->text();
    QTextCursor cursor(m_editor->document());
    cursor.beginEditBlock();
    // From the end, so the earlier ranges keep their positions.
    for (auto it = ranges.crbegin(); it != ranges.crend(); ++it) {
        cursor.setPosition(it->first);
        cursor.setPosition(it->second, QTextCursor::KeepAnchor);
        cursor.insertText(replacement);
    }
    cursor.endEditBlock();
    const int count = int(ranges.size());
    updateMatches();
    m_status = tr("Replaced %n", "", count);
    m_count->setText(m_status);
    return count;
}

bool FindReplaceBar::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape) {
            close();
            return true;
        }
        // Handled here: a line edit passes Enter on to its parents, and the editor would take it
        // as a new line in place of the selected match.
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            if (watched == m_replace)
                replaceCurrent();
            else if (key->modifiers() & Qt::ShiftModifier)
                findPrevious();
            else
                findNext();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void FindReplaceBar::keyPressEvent(QKeyEvent *event)
{
    // Keys the fields leave (Enter, Page Up) stay in the bar instead of editing the text above.
    event->accept();
}
