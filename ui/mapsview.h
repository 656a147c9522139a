// SPDX-License-Identifier: GPL-2.0-or-later
// All maps of a run: tables for plain maps and stats, bar charts for hist/lhist, each alone or
// all of them in one overview; export.
#pragma once

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

class MapsView : public QWidget
{
    Q_OBJECT
public:
    explicit MapsView(QWidget *parent = nullptr);

    void setRun(Run *run);
    /// Tests and screenshots can show maps without a run.
    void setMaps(const QJsonObject &maps);
    QJsonObject maps() const { return m_maps; }

    QStringList mapNames() const;
    bool selectMap(const QString &name);
    /// Every map at once, tables and charts one below the other (the default for two or more).
    void showOverview();
    bool isShowingOverview() const;
    /// The overview's content (tests look into it).
    QWidget *overview() const;
    /// The selected map; empty while the overview is shown.
    QString currentMap() const;
    bool isShowingHistogram() const;
    MapTableModel *tableModel() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QTableView *tableView() const { return m_table; }
    HistogramWidget *histogram() const { return m_histogram; }
    QComboBox *keyCombo() const { return m_keys; }

    /// .json: Run::maps() as it is; anything else: text like bpftrace prints it.
    static bool exportMaps(const QJsonObject &maps, const QString &path, QString *error);
    static QString mapsAsText(const QJsonObject &maps);

private:
    void refresh();
    void rebuildOverview();
    void showMap(const QString &name);
    void showHistogramKey();

    QPointer<Run> m_run;
    QJsonObject m_maps;
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
};
