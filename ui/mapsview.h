// SPDX-License-Identifier: GPL-2.0-or-later
// All maps of a run: tables for plain maps and stats, bar charts for hist/lhist, each alone or
// all of them in one overview; export.
#pragma once

#include "engine/results/runresults.h"

#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class HistogramWidget;
class MapTableModel;
class Run;
class QComboBox;
class QLabel;
class QListWidget;
class QScrollArea;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTimer;

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

    /// .json: Run::maps() in its stored form; anything else: text like bpftrace prints it.
    static bool exportMaps(const RunResults &maps, const QString &path, QString *error);

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
    void showHistogramKey();

    QPointer<Run> m_run;
    RunResults m_maps;
    QListWidget *m_list;
    QStackedWidget *m_stack;
    QLabel *m_empty;
    QScrollArea *m_overview;
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
