// SPDX-License-Identifier: GPL-2.0-or-later
// A StackTree drawn as a flame graph with QPainter: a rectangle per frame, callers below their
// callees, width by samples. Hover for details, click to zoom, search to highlight.
#pragma once

#include "engine/results/stacktree.h"

#include <QWidget>

class FlameGraphWidget : public QWidget
{
    Q_OBJECT
public:
    explicit FlameGraphWidget(QWidget *parent = nullptr);

    /// Draws `tree`. A frame zoomed into before stays zoomed when the new tree has the same path
    /// (an interval print of the same map), and the search applies to the new tree.
    void setTree(const StackTree &tree);
    void clear();
    const StackTree &tree() const { return m_tree; }

    /// Root at the top (an icicle graph) instead of at the bottom.
    void setIcicle(bool icicle);
    bool isIcicle() const { return m_icicle; }

    /// The frame filling the width; 0 (the root) when not zoomed.
    int zoomNode() const { return m_zoom; }
    void zoomTo(int node);
    void resetZoom() { zoomTo(0); }

    /// Highlights frames whose name contains `needle` (case-insensitive).
    void setSearch(const QString &needle);
    QString search() const { return m_search; }
    /// Samples with a matching frame anywhere on their stack, each counted once.
    qint64 searchSamples() const { return m_searchSamples; }
    double searchShare() const;
    /// "12.5% of all samples match", or that nothing does; empty without a search.
    QString searchShareText() const;
    /// Highlights every occurrence of one frame (from the symbol table); -1 for none.
    void setHighlightedFrame(int frame);
    int highlightedFrame() const { return m_highlightedFrame; }

    /// The keyboard's current frame (arrow keys move it, Return zooms into it); -1 for none.
    int currentNode() const { return m_current; }
    void setCurrentNode(int node);

    /// Where `node` is drawn in widget coordinates; null when it is not drawn.
    QRectF nodeRect(int node) const;
    /// The node under `pos`; -1 for none (or for merged narrow frames).
    int nodeAt(QPointF pos) const;
    /// The hover text of a node: frame, where it comes from, samples and share of all.
    QString toolTipText(int node) const;
    /// Stable per name: the same frame has the same colour in every run and export.
    static QColor frameColor(const StackTree::Frame &frame);
    static QColor searchColor();

    /// The graph as it is laid out at the widget's size.
    QImage toImage() const;
    bool exportPng(const QString &path, QString *error = nullptr) const;
    /// SVG text written by hand (Qt Svg is not a dependency): a rect, label and title per frame.
    QString toSvg() const;
    bool exportSvg(const QString &path, QString *error = nullptr) const;

    int rowHeight() const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void zoomChanged(int node);
    void searchChanged();
    void currentChanged(int node);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void relayout();
    void ensureLayout() const;
    int spanAt(QPointF pos) const;
    QRectF spanRect(const StackTree::Span &span, int height) const;
    QString label(const StackTree::Span &span) const;
    QColor fillColor(const StackTree::Span &span) const;
    void paintGraph(QPainter &painter, int height, bool decorations) const;
    void moveCurrent(int key);

    StackTree m_tree;
    mutable QList<StackTree::Span> m_spans;
    mutable int m_layoutWidth = -1;
    int m_zoom = 0;
    int m_hover = -1;
    int m_current = -1;
    bool m_icicle = false;
    QString m_search;
    QList<bool> m_matches;
    qint64 m_searchSamples = 0;
    int m_highlightedFrame = -1;
};
