// SPDX-License-Identifier: GPL-2.0-or-later
// A stack map as a flame graph with its search, reset and exports, and the per-symbol table
// beside it. The Maps view shows one of these for any map with a stack in its key.
#pragma once

#include "engine/results/stacktree.h"

#include <QWidget>

class FlameGraphTableModel;
class FlameGraphWidget;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QScrollArea;
class QSortFilterProxyModel;
class QTreeView;

class FlameGraphView : public QWidget
{
    Q_OBJECT
public:
    enum class Direction
    {
        TopDown, ///< callers at the root, as the stacks were sampled
        BottomUp, ///< innermost frames at the root: where the time went, whoever called it
    };
    enum class ExportFormat
    {
        Folded,
        Svg,
        Png,
    };

    explicit FlameGraphView(QWidget *parent = nullptr);

    /// Draws `map` when some key holds a stack (StackTree::hasStack()); clears otherwise. A new
    /// print of the same map keeps the search and, where the frame still exists, the zoom.
    void setMap(const MapResult &map);
    void clear();
    bool hasStacks() const { return !m_tree.isEmpty(); }
    QString mapName() const { return m_mapName; }
    /// Always the top-down tree (the table counts from it); the graph may show it inverted.
    const StackTree &tree() const { return m_tree; }

    void setDirection(Direction direction);
    Direction direction() const { return m_direction; }

    /// Writes the graph (or the folded stacks) to `path`.
    bool exportTo(ExportFormat format, const QString &path, QString *error = nullptr) const;
    /// Where the save dialog starts: the documents folder, with a name from the map.
    QString suggestedExportPath(ExportFormat format) const;

    FlameGraphWidget *graph() const { return m_graph; }
    QScrollArea *graphArea() const { return m_graphArea; }
    QLineEdit *searchField() const { return m_search; }
    QLabel *shareLabel() const { return m_share; }
    QPushButton *resetButton() const { return m_reset; }
    QPushButton *exportButton() const { return m_export; }
    QMenu *exportMenu() const { return m_exportMenu; }
    QComboBox *directionBox() const { return m_directionBox; }
    QTreeView *table() const { return m_table; }
    FlameGraphTableModel *tableModel() const { return m_model; }
    QSortFilterProxyModel *tableProxy() const { return m_proxy; }

private:
    void showTree();
    void updateShare();
    void updateReset();
    void chooseExportPath(ExportFormat format);

    StackTree m_tree;
    QString m_mapName;
    Direction m_direction = Direction::TopDown;
    FlameGraphWidget *m_graph = nullptr;
    QScrollArea *m_graphArea = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_share = nullptr;
    QPushButton *m_reset = nullptr;
    QPushButton *m_export = nullptr;
    QMenu *m_exportMenu = nullptr;
    QComboBox *m_directionBox = nullptr;
    QTreeView *m_table = nullptr;
    FlameGraphTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
};
