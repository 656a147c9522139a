// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/outputview.h"

#include "ui/outputmodel.h"
#include "ui/statuscolors.h"

#include "engine/run.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSaveFile>
#include <QScrollBar>
#include <QShortcut>
#include <QToolButton>

using namespace Qt::StringLiterals;

OutputView::OutputView(QWidget *parent)
    : QWidget(parent)
    , m_model(new OutputModel(this))
    , m_view(new QListView(this))
    , m_follow(new QCheckBox(tr("&Follow"), this))
    , m_search(new QLineEdit(this))
    , m_previous(new QToolButton(this))
    , m_next(new QToolButton(this))
    , m_notice(new QLabel(this))
    , m_searchStatus(new QLabel(this))
{
    // Uniform sizes let the view lay out 50,000 rows without measuring each one.
    m_view->setModel(m_model);
    m_view->setUniformItemSizes(true);
    m_view->setLayoutMode(QListView::Batched);
    m_view->setBatchSize(2000);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_view->setAccessibleName(tr("Run output"));

    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest line in view"));
    m_search->setPlaceholderText(tr("Search output"));
    m_search->setClearButtonEnabled(true);
    m_previous->setIcon(QIcon::fromTheme(u"go-up"_s));
    m_previous->setText(tr("Previous"));
    m_previous->setToolTip(tr("Previous match (Shift+F3)"));
    m_next->setIcon(QIcon::fromTheme(u"go-down"_s));
    m_next->setText(tr("Next"));
    m_next->setToolTip(tr("Next match (F3)"));
    for (QToolButton *button : { m_previous, m_next })
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_notice->setVisible(false);
    m_notice->setWordWrap(true);
    m_notice->setStyleSheet(
        u"QLabel { background: palette(alternate-base); padding: 3px; border-left: 3px solid %1; }"_s.arg(
            StatusColors::text(StatusColors::Role::Neutral, palette()).name()));

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_follow);
    bar->addSpacing(12);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_previous);
    bar->addWidget(m_next);
    bar->addWidget(m_searchStatus);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_notice);
    layout->addWidget(m_view, 1);

    connect(m_model, &OutputModel::batchAppended, this, [this](int, qint64 dropped) {
        updateNotice(dropped);
        if (m_follow->isChecked())
            m_view->scrollToBottom();
    });
    // The batched layout grows the scroll range after the append: keep following as it grows.
    connect(m_view->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this](int, int maximum) {
        if (m_follow->isChecked())
            m_view->verticalScrollBar()->setValue(maximum);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { updateNotice(m_model->droppedLines()); });
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_view->scrollToBottom();
    });
    // Scrolling up to read something means the person no longer wants to be pulled down.
    connect(m_view->verticalScrollBar(), &QScrollBar::actionTriggered, this, [this] {
        QScrollBar *bar = m_view->verticalScrollBar();
        QMetaObject::invokeMethod(
            this, [this, bar] { m_follow->setChecked(bar->value() >= bar->maximum()); }, Qt::QueuedConnection);
    });
    connect(m_search, &QLineEdit::returnPressed, this, &OutputView::findNext);
    connect(m_next, &QToolButton::clicked, this, &OutputView::findNext);
    connect(m_previous, &QToolButton::clicked, this, &OutputView::findPrevious);
    auto *next
        = new QShortcut(QKeySequence::FindNext, this, this, &OutputView::findNext, Qt::WidgetWithChildrenShortcut);
    auto *previous = new QShortcut(
        QKeySequence::FindPrevious, this, this, &OutputView::findPrevious, Qt::WidgetWithChildrenShortcut);
    Q_UNUSED(next)
    Q_UNUSED(previous)
}

void OutputView::setRun(Run *run)
{
    m_model->setRun(run);
    m_searchStatus->clear();
    if (m_follow->isChecked())
        m_view->scrollToBottom();
}

void OutputView::setFollowTail(bool follow)
{
    m_follow->setChecked(follow);
}

bool OutputView::followTail() const
{
    return m_follow->isChecked();
}

QString OutputView::droppedNotice() const
{
    return m_notice->isHidden() ? QString() : m_notice->text();
}

void OutputView::updateNotice(qint64 dropped)
{
    if (dropped <= 0) {
        m_notice->clear();
        m_notice->setVisible(false);
        return;
    }
    m_notice->setText(
        tr("%L1 lines dropped: the view keeps the newest %L2 lines. Export writes every line the run kept.")
            .arg(dropped)
            .arg(m_model->maxLines()));
    m_notice->setVisible(true);
}

bool OutputView::findNext()
{
    return find(true);
}

bool OutputView::findPrevious()
{
    return find(false);
}

bool OutputView::find(bool forward)
{
    const QString needle = m_search->text();
    const int rows = m_model->rowCount();
    if (needle.isEmpty() || rows == 0) {
        m_searchStatus->clear();
        return false;
    }
    const int current = m_view->currentIndex().isValid() ? m_view->currentIndex().row() : (forward ? -1 : rows);
    for (int step = 1; step <= rows; ++step) {
        const int row = ((forward ? current + step : current - step) % rows + rows) % rows;
        if (m_model->lineText(row).contains(needle, Qt::CaseInsensitive)) {
            // Jumping to a match means reading, not following.
            m_follow->setChecked(false);
            const QModelIndex index = m_model->index(row);
            m_view->setCurrentIndex(index);
            m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
            m_searchStatus->setText(tr("line %L1").arg(index.data(OutputModel::OffsetRole).toLongLong() + 1));
            return true;
        }
    }
    m_searchStatus->setText(tr("not found"));
    return false;
}

bool OutputView::exportOutput(const Run *run, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = file.errorString();
        return false;
    }
    if (run->droppedByCap() > 0)
        file.write(tr("# %1 earlier lines were dropped by the output limit\n").arg(run->droppedByCap()).toUtf8());
    qint64 offset = run->firstOffset();
    while (offset < run->totalLines()) {
        const QList<OutputLine> lines = run->lines(offset, 10000);
        if (lines.isEmpty())
            break;
        for (const OutputLine &line : lines)
            file.write(line.text.toUtf8() + '\n');
        offset = lines.constLast().offset + 1;
    }
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}
