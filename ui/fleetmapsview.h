// SPDX-License-Identifier: GPL-2.0-or-later
// The maps of a run on several hosts: the maps view over the merged maps (or every host side by
// side, or one host alone, chosen above it), and beside it the chosen map compared host by host:
// a table with a column per host, or one histogram per host on one shared scale. Fed with
// FleetResults, so it works the same for synthetic results and for real fleet runs.
#pragma once

#include "engine/results/fleetresults.h"

#include <QList>
#include <QWidget>

class HistogramWidget;
class MapTableModel;
class MapsView;
class QComboBox;
class QLabel;
class QScrollArea;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QVBoxLayout;

class FleetMapsView : public QWidget
{
    Q_OBJECT
public:
    explicit FleetMapsView(QWidget *parent = nullptr);

    /// Shows `fleet`, keeping the host filter and the compared map where they still exist.
    void setFleetResults(const FleetResults &fleet);
    const FleetResults &fleetResults() const { return m_fleet; }

    /// The maps view's host filter: every host merged (the default), every host side by side
    /// (the host as the first key part: a column of the tables, the first level of the flame
    /// graph, a histogram per host), or one host's own maps (series included).
    void showMerged();
    void showByHost();
    bool showHost(const QString &host);
    bool isShowingMerged() const;
    bool isShowingByHost() const;
    /// The one host shown; empty when merged or by host.
    QString shownHost() const;
    QComboBox *hostSelector() const { return m_hosts; }
    MapsView *mapsView() const { return m_maps; }
    /// "Merged over 2 of 3 hosts", and each host left out with its reason.
    QLabel *summaryLabel() const { return m_summary; }

    /// The map compared host by host beside the maps view; it follows the map chosen there.
    bool compareMap(const QString &name);
    QString comparedMap() const;
    QComboBox *compareMapSelector() const { return m_compareMaps; }
    /// For a keyed histogram: which key's histograms are compared.
    QComboBox *compareKeySelector() const { return m_compareKeys; }
    QTableView *hostTable() const { return m_table; }
    MapTableModel *hostTableModel() const { return m_model; }
    bool isComparingHistograms() const;
    /// One chart per host that reported the map, all on the merged buckets and one scale.
    QList<HistogramWidget *> hostCharts() const { return m_charts; }
    QList<QLabel *> hostChartLabels() const { return m_chartLabels; }
    /// Shown instead of a comparison when the hosts' maps could not be merged.
    QLabel *conflictLabel() const { return m_conflict; }
    /// The comparison pane (for screenshots).
    QWidget *comparison() const { return m_comparison; }

private:
    void fillHostSelector();
    void updateSummary();
    void applyHostFilter();
    void fillCompareMaps();
    void showComparison();
    void showHostCharts(const MergedMap &map);

    FleetResults m_fleet;
    QComboBox *m_hosts;
    QLabel *m_summary;
    MapsView *m_maps;
    QWidget *m_comparison;
    QComboBox *m_compareMaps;
    QLabel *m_compareKeyLabel;
    QComboBox *m_compareKeys;
    QStackedWidget *m_compareStack;
    QTableView *m_table;
    MapTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QScrollArea *m_chartArea;
    QVBoxLayout *m_chartLayout;
    QList<HistogramWidget *> m_charts;
    QList<QLabel *> m_chartLabels;
    QLabel *m_conflict;
};
