// SPDX-License-Identifier: GPL-2.0-or-later
// The "go to line" bar under the script editor (Ctrl+G): a line number, Enter, done.
#pragma once

#include <QWidget>

class QKeyEvent;
class QLabel;
class QPlainTextEdit;
class QSpinBox;

class GoToLineBar : public QWidget
{
    Q_OBJECT
public:
    explicit GoToLineBar(QPlainTextEdit *editor, QWidget *parent = nullptr);

    /// Shows the bar with the cursor's line selected, ready to type over.
    void open();
    void close();
    /// Moves the editor's cursor to the start of the chosen line and closes.
    void accept();
    QSpinBox *spinBox() const { return m_line; }

Q_SIGNALS:
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    QPlainTextEdit *m_editor;
    QSpinBox *m_line;
    QLabel *m_total;
};
