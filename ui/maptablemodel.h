// SPDX-License-Identifier: GPL-2.0-or-later
// One bpftrace map (count/sum/min/max/avg/stats or a plain value) as a sortable table.
#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QJsonValue>

class MapTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Roles
    {
        SortRole = Qt::UserRole + 1, ///< numbers as numbers, so sorting is numeric
    };

    explicit MapTableModel(QObject *parent = nullptr);

    /// `entry` is one value of Run::maps(): {"kind": "map"|"stats"|"value"|..., "data": ...}.
    void setMap(const QString &name, const QJsonObject &entry);
    QString name() const { return m_name; }
    bool isStats() const { return m_stats; }

    /// Text for one JSON value: numbers without exponent, arrays as tuples, objects as key: value.
    static QString valueText(const QJsonValue &value);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString key;
        QList<QJsonValue> values;
    };
    QString m_name;
    bool m_stats = false;
    QList<Row> m_rows;
};
