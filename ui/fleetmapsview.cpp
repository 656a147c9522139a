// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/fleetmapsview.h"

#include "ui/histogramwidget.h"
#include "ui/mapsview.h"
#include "ui/maptablemodel.h"
#include "ui/statuscolors.h"
#include "ui/uihelpers.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
// The host selector's data: these two, or a host's index.
constexpr int MergedItem = -2;
constexpr int ByHostItem = -1;
constexpr int HostNameRole = Qt::UserRole + 1;

QString stateText(HostRunState state)
{
    switch (state) {
    case HostRunState::Running:
        return FleetMapsView::tr("running");
    case HostRunState::Finished:
        return FleetMapsView::tr("finished");
    case HostRunState::Stopped:
        return FleetMapsView::tr("stopped");
    case HostRunState::Failed:
        return FleetMapsView::tr("failed");
    case HostRunState::Unreachable:
        break;
    }
    return FleetMapsView::tr("unreachable");
}
} // namespace

FleetMapsView::FleetMapsView(QWidget *parent)
    : QWidget(parent)
    , m_hosts(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_maps(new MapsView(this))
    , m_comparison(new QWidget(this))
    , m_compareMaps(new QComboBox(this))
    , m_compareKeyLabel(new QLabel(tr("&Key:"), this))
    , m_compareKeys(new QComboBox(this))
    , m_compareStack(new QStackedWidget(this))
    , m_table(new QTableView(this))
    , m_model(new MapTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_chartArea(new QScrollArea(this))
    , m_chartLayout(nullptr)
    , m_conflict(new QLabel(this))
{
    m_hosts->setAccessibleName(tr("Hosts"));
    m_hosts->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *hostsLabel = new QLabel(tr("&Hosts:"), this);
    hostsLabel->setBuddy(m_hosts);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *top = new QHBoxLayout;
    top->addWidget(hostsLabel);
    top->addWidget(m_hosts);
    top->addWidget(m_summary, 1);

    // The comparison: the map chosen, and its values (or histograms) host by host.
    m_compareMaps->setAccessibleName(tr("Compared map"));
    m_compareKeys->setAccessibleName(tr("Compared key"));
    m_compareKeyLabel->setBuddy(m_compareKeys);
    auto *compareLabel = new QLabel(tr("&Compare hosts:"), m_comparison);
    compareLabel->setBuddy(m_compareMaps);
    auto *compareRow = new QHBoxLayout;
    compareRow->addWidget(compareLabel);
    compareRow->addWidget(m_compareMaps, 1);
    compareRow->addWidget(m_compareKeyLabel);
    compareRow->addWidget(m_compareKeys, 1);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(MapTableModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setWordWrap(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAccessibleName(tr("Values per host"));

    auto *charts = new QWidget;
    m_chartLayout = new QVBoxLayout(charts);
    m_chartLayout->addStretch(1);
    m_chartArea->setWidget(charts);
    m_chartArea->setWidgetResizable(true);
    m_chartArea->setFrameShape(QFrame::NoFrame);
    // The charts take the pane's width: side by side in height, never cut off at the right.
    m_chartArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_chartArea->setAccessibleName(tr("Histograms per host"));

    m_conflict->setWordWrap(true);
    m_conflict->setTextFormat(Qt::PlainText);
    m_conflict->setAlignment(Qt::AlignCenter);
    m_compareStack->addWidget(m_table);
    m_compareStack->addWidget(m_chartArea);
    m_compareStack->addWidget(m_conflict);

    auto *compareLayout = new QVBoxLayout(m_comparison);
    compareLayout->setContentsMargins(0, 0, 0, 0);
    compareLayout->addLayout(compareRow);
    compareLayout->addWidget(m_compareStack, 1);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_maps);
    splitter->addWidget(m_comparison);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    // The comparison needs room for a column per host or a chart per host; proportions, as the
    // splitter scales them to its width.
    splitter->setSizes({ 55, 45 });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(m_hosts, &QComboBox::currentIndexChanged, this, &FleetMapsView::applyHostFilter);
    connect(m_maps, &MapsView::currentMapChanged, this, [this](const QString &name) {
        if (!name.isEmpty())
            compareMap(name);
    });
    connect(m_compareMaps, &QComboBox::currentIndexChanged, this, &FleetMapsView::showComparison);
    connect(m_compareKeys, &QComboBox::currentIndexChanged, this, [this] {
        if (const MergedMap *map = m_fleet.find(comparedMap()))
            showHostCharts(*map);
    });
    fillHostSelector();
    updateSummary();
    showComparison();
}

void FleetMapsView::setFleetResults(const FleetResults &fleet)
{
    m_fleet = fleet;
    fillHostSelector();
    updateSummary();
    applyHostFilter();
    fillCompareMaps();
}

void FleetMapsView::fillHostSelector()
{
    const int current = m_hosts->currentData().isValid() ? m_hosts->currentData().toInt() : MergedItem;
    const QString host = m_hosts->currentData(HostNameRole).toString();
    const QSignalBlocker blocker(m_hosts);
    m_hosts->clear();
    m_hosts->addItem(tr("All hosts (merged)"), MergedItem);
    m_hosts->addItem(tr("All hosts, side by side"), ByHostItem);
    m_hosts->setItemData(1,
        tr("Each host's values under its name: a host column in tables, a host level in the flame graph"),
        Qt::ToolTipRole);
    for (int i = 0; i < m_fleet.hostCount(); ++i) {
        const HostStatus &status = m_fleet.hosts().at(i);
        m_hosts->addItem(tr("%1 (%2)").arg(status.host, stateText(status.state)), i);
        m_hosts->setItemData(m_hosts->count() - 1, status.host, HostNameRole);
        if (!status.message.isEmpty())
            m_hosts->setItemData(m_hosts->count() - 1, UiHelpers::plainToolTip(status.message), Qt::ToolTipRole);
    }
    int index = m_hosts->findData(current);
    if (current >= 0)
        index = m_hosts->findData(host, HostNameRole);
    m_hosts->setCurrentIndex(qMax(0, index));
}

void FleetMapsView::updateSummary()
{
    const int total = m_fleet.hostCount();
    QStringList parts { tr("Merged over %1 of %n hosts", "", total).arg(m_fleet.contributingHostCount()) };
    for (const HostStatus &host : m_fleet.hosts()) {
        QString note;
        if (host.state == HostRunState::Failed || host.state == HostRunState::Unreachable)
            note = tr("%1 %2").arg(host.host, stateText(host.state));
        else if (!host.contributes())
            note = tr("%1 reported no maps").arg(host.host);
        else if (host.state == HostRunState::Running)
            note = tr("%1 still running").arg(host.host);
        if (note.isEmpty())
            continue;
        if (!host.message.isEmpty())
            note = tr("%1: %2").arg(note, host.message.simplified());
        parts.append(note);
    }
    const QStringList conflicts = m_fleet.conflicts();
    if (!conflicts.isEmpty())
        parts.append(tr("%n maps could not be merged", "", int(conflicts.size())));
    m_summary->setText(parts.join(u" · "_s));
    // A total that leaves hosts out is the thing to notice.
    if (m_fleet.contributingHostCount() < total || !conflicts.isEmpty())
        StatusColors::setTextRole(m_summary, StatusColors::Role::Negative);
    else
        StatusColors::clearTextRole(m_summary);
}

void FleetMapsView::applyHostFilter()
{
    const int choice = m_hosts->currentData().toInt();
    if (choice == ByHostItem)
        m_maps->setMaps(m_fleet.byHostResults());
    else if (choice >= 0)
        m_maps->setMaps(m_fleet.hostResults(choice));
    else
        m_maps->setMaps(m_fleet.mergedResults());
}

void FleetMapsView::showMerged()
{
    m_hosts->setCurrentIndex(m_hosts->findData(MergedItem));
}

void FleetMapsView::showByHost()
{
    m_hosts->setCurrentIndex(m_hosts->findData(ByHostItem));
}

bool FleetMapsView::showHost(const QString &host)
{
    const int index = m_hosts->findData(host, HostNameRole);
    if (index < 0)
        return false;
    m_hosts->setCurrentIndex(index);
    return true;
}

bool FleetMapsView::isShowingMerged() const
{
    return m_hosts->currentData().toInt() == MergedItem;
}

bool FleetMapsView::isShowingByHost() const
{
    return m_hosts->currentData().toInt() == ByHostItem;
}

QString FleetMapsView::shownHost() const
{
    return m_hosts->currentData().toInt() >= 0 ? m_hosts->currentData(HostNameRole).toString() : QString();
}

void FleetMapsView::fillCompareMaps()
{
    const QString current = comparedMap();
    {
        const QSignalBlocker blocker(m_compareMaps);
        m_compareMaps->clear();
        for (const MergedMap &map : m_fleet.maps())
            m_compareMaps->addItem(map.name(), map.name());
        const int index = m_compareMaps->findData(current.isEmpty() ? m_maps->currentMap() : current);
        m_compareMaps->setCurrentIndex(qMax(0, index));
    }
    showComparison();
}

bool FleetMapsView::compareMap(const QString &name)
{
    const int index = m_compareMaps->findData(name);
    if (index < 0)
        return false;
    if (index == m_compareMaps->currentIndex())
        return true;
    m_compareMaps->setCurrentIndex(index);
    return true;
}

QString FleetMapsView::comparedMap() const
{
    return m_compareMaps->currentData().toString();
}

bool FleetMapsView::isComparingHistograms() const
{
    return m_compareStack->currentWidget() == m_chartArea;
}

void FleetMapsView::showComparison()
{
    const MergedMap *map = m_fleet.find(comparedMap());
    m_compareKeys->setVisible(false);
    m_compareKeyLabel->setVisible(false);
    if (!map) {
        m_conflict->setText(tr("No maps yet."));
        m_compareStack->setCurrentWidget(m_conflict);
        return;
    }
    if (map->hasConflict()) {
        // Not merged, never silently: each host's own map is one choice away above.
        m_conflict->setText(tr("The hosts' maps of %1 could not be merged: %2. Choose a host above to see its own map.")
                .arg(map->name(), map->conflict()));
        m_compareStack->setCurrentWidget(m_conflict);
        return;
    }
    if (map->isHistogram()) {
        const QString previous = m_compareKeys->currentText();
        {
            const QSignalBlocker blocker(m_compareKeys);
            m_compareKeys->clear();
            for (const MergedMap::Entry &entry : map->entries())
                m_compareKeys->addItem(entry.key.text());
            m_compareKeys->setCurrentIndex(qMax(0, m_compareKeys->findText(previous)));
        }
        m_compareKeys->setVisible(map->isKeyed());
        m_compareKeyLabel->setVisible(map->isKeyed());
        showHostCharts(*map);
        m_compareStack->setCurrentWidget(m_chartArea);
        return;
    }
    m_model->setFleetMap(*map, m_fleet.hostNames());
    QHeaderView *header = m_table->horizontalHeader();
    // The values are what is compared: they keep their width, the keys share what is left (the
    // whole key is in the tooltip).
    const int keyWidth = 16 * m_table->fontMetrics().averageCharWidth();
    for (int column = 0; column < m_model->columnCount(); ++column) {
        if (column < m_model->keyColumnCount()) {
            header->setSectionResizeMode(column, QHeaderView::Interactive);
            header->resizeSection(column, keyWidth);
        } else {
            header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
        }
    }
    m_table->sortByColumn(m_model->valueColumn(), Qt::DescendingOrder);
    m_compareStack->setCurrentWidget(m_table);
}

void FleetMapsView::showHostCharts(const MergedMap &map)
{
    const qsizetype entry = map.isKeyed() ? m_compareKeys->currentIndex() : -1;
    if (map.isKeyed() && (entry < 0 || entry >= map.entries().size())) {
        for (QLabel *label : std::as_const(m_chartLabels))
            label->hide();
        for (HistogramWidget *chart : std::as_const(m_charts))
            chart->hide();
        return;
    }
    const MergedMap::Entry &merged = map.isKeyed() ? map.entries().at(entry) : map.value();
    // Small multiples: every host on the merged buckets and the scale of the largest host bucket,
    // so a bar of the same length is the same count on every host.
    QList<int> hosts;
    qint64 sharedMax = 1;
    for (const int h : map.reportingHosts()) {
        hosts.append(h);
        for (const QList<qint64> &bucket : merged.bucketHosts)
            sharedMax = qMax(sharedMax, bucket.value(h));
    }
    while (m_charts.size() < hosts.size()) {
        auto *label = new QLabel(m_chartArea->widget());
        label->setTextFormat(Qt::PlainText);
        auto *chart = new HistogramWidget(m_chartArea->widget());
        chart->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        m_chartLayout->insertWidget(m_chartLayout->count() - 1, label);
        m_chartLayout->insertWidget(m_chartLayout->count() - 1, chart);
        m_chartLabels.append(label);
        m_charts.append(chart);
    }
    while (m_charts.size() > hosts.size()) {
        delete m_charts.takeLast();
        delete m_chartLabels.takeLast();
    }
    const QStringList names = m_fleet.hostNames();
    for (qsizetype i = 0; i < hosts.size(); ++i) {
        const int h = hosts.at(i);
        const Histogram histogram = map.hostHistogram(entry, h);
        const bool has = merged.hosts.value(h).type() != MapValue::Type::Empty;
        m_chartLabels.at(i)->setText(has
                ? tr("%1: %2 in all").arg(names.value(h), QLocale().toString(histogram.totalCount()))
                : tr("%1: no such key").arg(names.value(h)));
        m_charts.at(i)->setSharedScale(sharedMax);
        m_charts.at(i)->setHistogram(histogram);
        m_charts.at(i)->setAccessibleName(tr("%1 on %2").arg(map.name(), names.value(h)));
        m_chartLabels.at(i)->show();
        m_charts.at(i)->show();
    }
}
