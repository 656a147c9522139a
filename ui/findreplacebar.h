// SPDX-License-Identifier: GPL-2.0-or-later
// The find and replace bar under the script editor, as in Kate: incremental, with match case,
// whole words and the number of matches.
#pragma once

#include <QTextCursor>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QKeyEvent;
class QPushButton;

class FindReplaceBar : public QWidget
{
    Q_OBJECT
public:
    explicit FindReplaceBar(QPlainTextEdit *editor, QWidget *parent = nullptr);

    /// Shows the bar (with the replace row when `replace`), takes the editor's one-line selection
    /// as the text to find and focuses the right field.
    void open(bool replace);
    void close();
    bool isReplaceShown() const;

    /// Selects the next (previous) match after (before) the editor's cursor, wrapping around;
    /// false when there is none.
    bool findNext();
    bool findPrevious();
    /// Replaces the selected match and selects the next one; only finds when no match is selected.
    bool replaceCurrent();
    /// Replaces every match in one undo step; returns how many.
    int replaceAll();

    void setMatchCase(bool on);
    void setWholeWords(bool on);
    QLineEdit *findEdit() const { return m_find; }
    QLineEdit *replaceEdit() const { return m_replace; }
    /// Every match in document order (for highlighting) and their number.
    const QList<QTextCursor> &matches() const { return m_matches; }
    int matchCount() const { return int(m_matches.size()); }
    /// "3 matches", "No matches", "Replaced 4"; empty while nothing is searched.
    QString statusText() const;

Q_SIGNALS:
    void matchesChanged();
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void updateMatches();
    bool find(bool backward, int from);
    bool isMatch(const QTextCursor &cursor) const;

    QPlainTextEdit *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_matchCase;
    QCheckBox *m_wholeWords;
    QLabel *m_count;
    QLabel *m_replaceLabel;
    QPushButton *m_replaceButton;
    QPushButton *m_replaceAllButton;
    QList<QTextCursor> m_matches;
    QString m_status;
    int m_anchor = 0; ///< where an incremental search starts: the cursor when the bar opened
};
