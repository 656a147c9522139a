// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/gotolinebar.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBlock>
#include <QToolButton>

using namespace Qt::StringLiterals;

GoToLineBar::GoToLineBar(QPlainTextEdit *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
    , m_line(new QSpinBox(this))
    , m_total(new QLabel(this))
{
    setObjectName(u"goToLineBar"_s);
    setAutoFillBackground(true);
    m_line->setAccessibleName(tr("Line number"));
    m_line->setMinimum(1);
    auto *go = new QPushButton(QIcon::fromTheme(u"go-jump"_s), tr("Go"), this);
    auto *closeButton = new QToolButton(this);
    closeButton->setIcon(QIcon::fromTheme(u"dialog-close"_s, QIcon::fromTheme(u"window-close"_s)));
    closeButton->setText(u"×"_s);
    closeButton->setAutoRaise(true);
    closeButton->setToolTip(tr("Close (Escape)"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 3, 4, 3);
    layout->addWidget(new QLabel(tr("Go to line:"), this));
    layout->addWidget(m_line);
    layout->addWidget(m_total);
    layout->addWidget(go);
    layout->addStretch(1);
    layout->addWidget(closeButton);
    connect(go, &QPushButton::clicked, this, &GoToLineBar::accept);
    connect(closeButton, &QToolButton::clicked, this, &GoToLineBar::close);
    m_line->installEventFilter(this);
    hide();
}

void GoToLineBar::open()
{
    const int lines = m_editor->document()->blockCount();
    m_line->setMaximum(lines);
    m_line->setValue(m_editor->textCursor().blockNumber() + 1);
    m_total->setText(tr("of %1").arg(lines));
    show();
    m_line->setFocus(Qt::ShortcutFocusReason);
    m_line->selectAll();
}

void GoToLineBar::close()
{
    if (!isVisible())
        return;
    hide();
    m_editor->setFocus(Qt::OtherFocusReason);
    Q_EMIT closed();
}

void GoToLineBar::accept()
{
    m_line->interpretText();
    const QTextBlock block = m_editor->document()->findBlockByNumber(m_line->value() - 1);
    if (block.isValid()) {
        QTextCursor cursor(block);
        m_editor->setTextCursor(cursor);
        m_editor->centerCursor();
    }
    close();
}

bool GoToLineBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_line && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Escape) {
            close();
            return true;
        }
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            accept();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void GoToLineBar::keyPressEvent(QKeyEvent *event)
{
    // Keys the spin box leaves stay in the bar instead of editing the text above.
    event->accept();
}
