// SPDX-License-Identifier: GPL-2.0-or-later
// All maps of a run: tables for plain maps and stats, bar charts for hist/lhist, each alone or
// all of them in one overview; a map printed several times also as a chart over time (lines per
// key, a heatmap for histograms) with the table of any one print a click away; export.
#pragma once

#include "engine/results/runresults.h"

#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <functional>

class HeatmapWidget;
class FlameGraphView;
class HistogramWidget;
class MapTableModel;
class Run;
class TimeSeriesChart;
class QComboBox;
class QLabel;
class QListWidget;
class QScrollArea;
class QSlider;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;
class QToolButton;

class MapsView : public QWidget
{
    Q_OBJECT
public:
    explicit MapsView(QWidget *parent = nullptr);

    void setRun(Run *run);
    /// Tests and screenshots can show maps without a run.
    void setMaps(const RunResults &maps);
    /// The same from the stored form (RunResults::toJson()).
    void setMaps(const QJsonObject &stored) { setMaps(RunResults::fromJson(stored)); }
    const RunResults &maps() const { return m_maps; }

    QStringList mapNames() const;
    bool selectMap(const QString &name);
    /// Every map at once, tables and charts one below the other (the default for two or more).
    /// Brings the overview up to date at once if maps changed while it was not shown.
    void showOverview();
    bool isShowingOverview() const;
    /// The overview's content (tests look into it). It stays the same widget across updates.
    QWidget *overview() const;
    /// How often the overview was brought up to date (tests check that updates are coalesced).
    int overviewRebuildCount() const { return m_overviewRebuilds; }
    /// The selected map; empty while the overview is shown.
    QString currentMap() const;
    bool isShowingHistogram() const;
    MapTableModel *tableModel() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QTableView *tableView() const { return m_table; }
    HistogramWidget *histogram() const { return m_histogram; }
    QComboBox *keyCombo() const { return m_keys; }

    /// The selected map's chart over time is in front (it has one when printed twice or more).
    bool isShowingChart() const;
    /// The selected map has a chart over time.
    bool hasChart() const;
    /// One click: the chart over time, or the table (or bars) of one snapshot.
    void showChart();
    void showSnapshot();
    QTabWidget *mapTabs() const { return m_mapTabs; }
    TimeSeriesChart *lineChart() const { return m_lineChart; }
    HeatmapWidget *heatmap() const { return m_heatmap; }
    /// For a keyed histogram's heatmap: the sum of all keys first, then each key.
    QComboBox *heatmapKeyCombo() const { return m_heatKeys; }
    /// Which print of the map the table shows; at the last one it follows new prints.
    QSlider *snapshotSlider() const { return m_snapshotSlider; }
    QLabel *snapshotLabel() const { return m_snapshotLabel; }
    /// The snapshot the table shows (0-based), or -1 when the map has no series.
    int snapshotIndex() const;
    void setSnapshotIndex(int index);
    /// A map with a call stack in its key: its flame graph, the first tab to see.
    FlameGraphView *flameGraph() const { return m_flame; }
    bool isShowingFlameGraph() const;
    void showFlameGraph();
    /// The chart in front (line chart, heatmap, histogram bars or flame graph), for PNG and SVG export.
    QWidget *currentChart() const;
    /// The export menu of the selected map.
    QToolButton *exportButton() const { return m_export; }

    /// .json: Run::maps() in its stored form; anything else: text like bpftrace prints it.
    static bool exportMaps(const RunResults &maps, const QString &path, QString *error);
    /// CSV of the table as shown (the snapshot and order chosen), of the selected map's series,
    /// and PNG or SVG (by suffix) of the chart in front. Each says why it failed in `error`.
    bool exportTableCsv(const QString &path, QString *error) const;
    bool exportSeriesCsv(const QString &path, QString *error) const;
    bool exportChart(const QString &path, QString *error) const;

Q_SIGNALS:
    /// The person (or selectMap()) chose another map; empty for the overview.
    void currentMapChanged(const QString &name);

protected:
    void showEvent(QShowEvent *event) override;

private:
    /// One map in the overview. Kept across updates so that focus, selection and the chosen
    /// sort order stay; `shape` says which widgets it has, and only a new shape recreates them.
    struct OverviewSection
    {
        QString shape;
        QWidget *box = nullptr;
        MapTableModel *model = nullptr;
        QTableView *table = nullptr;
        QList<QLabel *> keyLabels;
        QList<HistogramWidget *> charts;
        TimeSeriesChart *lines = nullptr;
        HeatmapWidget *heatmap = nullptr;
        QLabel *value = nullptr;
        QLabel *more = nullptr;
    };

    void refresh();
    void enterOverview();
    void updateOverviewSoon();
    void rebuildOverview();
    OverviewSection createSection(QWidget *content, const MapResult &map, const QString &shape);
    void fillSection(OverviewSection &section, const MapResult &map);
    void showMap(const QString &name);
    void updateTabs(const MapResult &map, const MapSeries *series, bool sameMap);
    void showSnapshotContent();
    void updateSnapshotLabel();
    void showHistogramKey();
    /// The map as the snapshot slider chooses it (the latest when it has no series).
    const MapResult *displayedMap() const;
    const MapSeries *currentSeries() const;
    void openExportDialog(const QString &title, const QString &fileName, const QString &filter,
        std::function<bool(MapsView *, const QString &, QString *)> write);

    QPointer<Run> m_run;
    RunResults m_maps;
    QListWidget *m_list;
    QStackedWidget *m_stack;
    QLabel *m_empty;
    QScrollArea *m_overview;
    QWidget *m_mapPage;
    QLabel *m_mapTitle;
    QToolButton *m_export;
    QTabWidget *m_mapTabs;
    QWidget *m_chartPage;
    FlameGraphView *m_flame;
    QStackedWidget *m_chartStack;
    TimeSeriesChart *m_lineChart;
    HeatmapWidget *m_heatmap;
    QLabel *m_heatKeyLabel;
    QComboBox *m_heatKeys;
    QWidget *m_snapshotPage;
    QSlider *m_snapshotSlider;
    QLabel *m_snapshotLabel;
    QStackedWidget *m_snapshotStack;
    /// The person chose the tab for this map (the chart appearing does not take the view away).
    QString m_tabChosenFor;
    bool m_choosingTab = false;
    QTableView *m_table;
    MapTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QWidget *m_histogramPage;
    QComboBox *m_keys;
    QLabel *m_keyLabel = nullptr;
    HistogramWidget *m_histogram;
    QTimer *m_overviewTimer;
    bool m_overviewDirty = true;
    int m_overviewRebuilds = 0;
    QHash<QString, OverviewSection> m_sections;
    /// The sort column and order the person chose per map, for sections that are recreated.
    QHash<QString, std::pair<int, Qt::SortOrder>> m_overviewSorts;
};
