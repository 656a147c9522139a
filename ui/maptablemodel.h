// SPDX-License-Identifier: GPL-2.0-or-later
// One bpftrace map (count/sum/min/max/avg/stats or a plain value) as a sortable table.
#pragma once

#include "engine/results/mapresult.h"

#include <QAbstractTableModel>

class MapTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Roles
    {
        SortRole = Qt::UserRole + 1, ///< numbers as numbers, so sorting is numeric
    };

    explicit MapTableModel(QObject *parent = nullptr);

    /// One map of Run::maps(): a row per key (one row for a map without keys), a column per
    /// value (count, average and total for stats). Texts are the map's own (MapValue::text()).
    void setMap(const MapResult &map);
    /// Only `entries` of `map` (the overview shows the biggest ones).
    void setMap(const MapResult &map, const QList<MapEntry> &entries);
    QString name() const { return m_name; }
    bool isStats() const { return m_stats; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString key;
        MapValue value;
    };
    MapValue cell(const Row &row, int column) const;

    QString m_name;
    bool m_stats = false;
    QList<Row> m_rows;
};
