// SPDX-License-Identifier: GPL-2.0-or-later
// One bpftrace map (count/sum/min/max/avg/stats or a plain value) as a sortable table: a column
// per key part, then the value columns.
#pragma once

#include "engine/results/mapresult.h"
#include "engine/results/mergedmap.h"

#include <QAbstractTableModel>
#include <QStringList>

class MapTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Roles
    {
        SortRole = Qt::UserRole + 1, ///< numbers as numbers, so sorting is numeric
        ExportRole, ///< the cell as plain text for CSV: no digit grouping, a stack whole
    };

    explicit MapTableModel(QObject *parent = nullptr);

    /// One map of Run::maps(): a row per key (one row for a map without keys), a column per
    /// key part and per value (count, average and total for stats). Texts are the map's own
    /// (MapValue::text()).
    void setMap(const MapResult &map);
    /// Only `entries` of `map` (the overview shows the biggest ones).
    void setMap(const MapResult &map, const QList<MapEntry> &entries);
    /// A map merged across the hosts of a fleet run, side by side with each host: the merged
    /// rows and value columns, then one column per host in `hostNames` order holding that host's
    /// value of the key (empty where it has none; for stats, the host's average).
    void setFleetMap(const MergedMap &map, const QStringList &hostNames);
    /// The host columns (0 unless setFleetMap() set them) come after the value columns.
    int hostColumnCount() const { return int(m_hostNames.size()); }
    int firstHostColumn() const { return keyColumnCount() + (m_stats ? 3 : 1); }
    /// Names for the key columns ("comm", "str(args.filename)") when the script says them;
    /// without, the headers name the part's type ("Key 1 (text)").
    void setKeyNames(const QStringList &names);
    QString name() const { return m_name; }
    bool isStats() const { return m_stats; }
    /// The key columns come first; the first value column follows them.
    int keyColumnCount() const { return int(m_partTypes.size()); }
    int valueColumn() const { return keyColumnCount(); }
    /// True when a key part is a call stack (a flame graph can show the map).
    bool hasStackPart() const { return m_partTypes.contains(MapKeyPart::Type::Stack); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        MapKey key;
        MapValue value;
    };
    QVariant hostData(int row, int host, int role) const;
    MapValue cell(const Row &row, int column) const;
    QVariant keyData(const Row &row, int part, int role) const;

    QString m_name;
    bool m_stats = false;
    bool m_keyed = false;
    QList<MapKeyPart::Type> m_partTypes; ///< one per key column
    QStringList m_keyNames;
    QList<Row> m_rows;
    QStringList m_hostNames;
    QList<QList<MapValue>> m_rowHosts; ///< for a fleet map: per row, each host's value
};
