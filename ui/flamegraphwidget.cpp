// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/flamegraphwidget.h"

#include "ui/chartexport.h"
#include "ui/uihelpers.h"

#include <QBuffer>
#include <QFontInfo>
#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QSaveFile>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace {
constexpr int textPadding = 3;

QString percentText(double fraction)
{
    // Small shares keep a second decimal so that 0.04% does not read as nothing.
    return QLocale().toString(fraction * 100.0, 'f', fraction < 0.1 ? 2 : 1) + u'%';
}

quint32 nameHash(const QString &name)
{
    // FNV-1a, then a final mix: the same name gives the same colour in every run and build.
    quint32 h = 2166136261u;
    for (const QChar c : name) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return h;
}

QString svgNumber(double value)
{
    return QString::number(value, 'f', 2);
}

bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}
} // namespace

FlameGraphWidget::FlameGraphWidget(QWidget *parent)
    : QWidget(parent)
{
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAccessibleName(tr("Flame graph"));
}

void FlameGraphWidget::setTree(const StackTree &tree)
{
    // A zoom survives a new print of the same map when the same frames lead to it.
    QStringList zoomPath;
    if (m_zoom > 0) {
        for (const int node : m_tree.path(m_zoom).mid(1))
            zoomPath.append(m_tree.frameOf(node).name);
    }
    const int oldZoom = m_zoom;
    m_tree = tree;
    m_zoom = zoomPath.isEmpty() ? 0 : std::max(0, m_tree.find(zoomPath));
    m_hover = -1;
    m_current = -1;
    m_highlightedFrame = -1;
    m_matches = m_tree.matchingFrames(m_search);
    m_searchSamples = m_search.isEmpty() ? 0 : m_tree.samplesMatching(m_matches);
    updateGeometry();
    relayout();
    if (m_zoom != oldZoom || m_zoom != 0)
        Q_EMIT zoomChanged(m_zoom);
    Q_EMIT searchChanged();
}

void FlameGraphWidget::clear()
{
    setTree(StackTree());
}

void FlameGraphWidget::setIcicle(bool icicle)
{
    m_icicle = icicle;
    update();
}

void FlameGraphWidget::zoomTo(int node)
{
    if (node < 0 || node >= m_tree.nodeCount())
        node = 0;
    if (node == m_zoom)
        return;
    m_zoom = node;
    relayout();
    Q_EMIT zoomChanged(node);
}

void FlameGraphWidget::setSearch(const QString &needle)
{
    if (needle == m_search)
        return;
    m_search = needle;
    m_matches = m_tree.matchingFrames(needle);
    m_searchSamples = needle.isEmpty() ? 0 : m_tree.samplesMatching(m_matches);
    update();
    Q_EMIT searchChanged();
}

double FlameGraphWidget::searchShare() const
{
    return m_tree.isEmpty() ? 0.0 : double(m_searchSamples) / double(m_tree.total());
}

QString FlameGraphWidget::searchShareText() const
{
    if (m_search.isEmpty())
        return {};
    if (m_searchSamples == 0)
        return tr("No frame matches");
    return tr("%1 of all samples match").arg(percentText(searchShare()));
}

void FlameGraphWidget::setHighlightedFrame(int frame)
{
    m_highlightedFrame = frame;
    update();
}

void FlameGraphWidget::setCurrentNode(int node)
{
    if (node < -1 || node >= m_tree.nodeCount())
        node = -1;
    m_current = node;
    // What a screen reader says for the frame the arrow keys reached.
    setAccessibleDescription(node >= 0 ? toolTipText(node) : QString());
    update();
    Q_EMIT currentChanged(node);
}

int FlameGraphWidget::rowHeight() const
{
    return fontMetrics().height() + 6;
}

QSize FlameGraphWidget::sizeHint() const
{
    return { 800, std::max(4, m_tree.maxDepth() + 1) * rowHeight() };
}

QSize FlameGraphWidget::minimumSizeHint() const
{
    return { 200, (m_tree.maxDepth() + 1) * rowHeight() };
}

void FlameGraphWidget::relayout()
{
    m_layoutWidth = -1;
    update();
}

void FlameGraphWidget::ensureLayout() const
{
    if (m_layoutWidth == width())
        return;
    m_spans = m_tree.layout(m_zoom, width());
    m_layoutWidth = width();
}

QRectF FlameGraphWidget::spanRect(const StackTree::Span &span, int height) const
{
    const int row = rowHeight();
    const double y = m_icicle ? span.depth * row : height - (span.depth + 1) * row;
    // A pixel between siblings and between rows once a frame is wide enough to spare it.
    const double w = span.width > 3 ? span.width - 1 : span.width;
    return { span.x, y, w, double(row - 1) };
}

QRectF FlameGraphWidget::nodeRect(int node) const
{
    ensureLayout();
    for (const StackTree::Span &span : std::as_const(m_spans)) {
        if (span.node == node)
            return spanRect(span, height());
    }
    return {};
}

int FlameGraphWidget::spanAt(QPointF pos) const
{
    ensureLayout();
    const int row = rowHeight();
    const double fromRoot = m_icicle ? pos.y() : height() - pos.y();
    if (fromRoot < 0 || pos.x() < 0)
        return -1;
    const int depth = int(fromRoot / row);
    for (qsizetype i = 0; i < m_spans.size(); ++i) {
        const StackTree::Span &s = m_spans.at(i);
        if (s.depth == depth && pos.x() >= s.x && pos.x() < s.x + s.width)
            return int(i);
    }
    return -1;
}

int FlameGraphWidget::nodeAt(QPointF pos) const
{
    const int i = spanAt(pos);
    return i < 0 ? -1 : m_spans.at(i).node;
}

QString FlameGraphWidget::toolTipText(int node) const
{
    if (node < 0 || node >= m_tree.nodeCount() || m_tree.isEmpty())
        return {};
    const StackTree::Node &n = m_tree.node(node);
    const StackTree::Frame &frame = m_tree.frameOf(node);
    const QLocale locale;
    const double total = double(m_tree.total());
    QString text;
    switch (frame.kind) {
    case StackTree::FrameKind::Root:
        text = tr("All samples");
        break;
    case StackTree::FrameKind::Group:
        text = frame.name + u'\n' + tr("Key part");
        break;
    case StackTree::FrameKind::Kernel:
        text = frame.name + u'\n' + tr("Kernel");
        break;
    case StackTree::FrameKind::User:
        text
            = frame.name + u'\n' + (frame.module.isEmpty() ? tr("User space") : tr("User space, %1").arg(frame.module));
        break;
    }
    text += u'\n' + tr("Samples: %1 (%2 of all)").arg(locale.toString(n.total), percentText(double(n.total) / total));
    if (node != 0 && n.self > 0 && n.self != n.total)
        text += u'\n' + tr("Self: %1 (%2 of all)").arg(locale.toString(n.self), percentText(double(n.self) / total));
    return text;
}

QColor FlameGraphWidget::frameColor(const StackTree::Frame &frame)
{
    const quint32 h = nameHash(frame.name);
    const double v1 = double(h & 0xff) / 255.0;
    const double v2 = double((h >> 8) & 0xff) / 255.0;
    const double v3 = double((h >> 16) & 0xff) / 255.0;
    switch (frame.kind) {
    case StackTree::FrameKind::Kernel: // red to orange, as flamegraph.pl's "hot"
        return QColor(205 + int(50 * v3), 70 + int(110 * v1), int(45 * v2));
    case StackTree::FrameKind::User: // pale yellow: user code beside the kernel's reds
        return QColor(225 + int(30 * v3), 190 + int(40 * v1), 80 + int(60 * v2));
    case StackTree::FrameKind::Group: // tan: the key's other parts, not code
        return QColor(200 + int(25 * v1), 185 + int(20 * v1), 160 + int(25 * v2));
    case StackTree::FrameKind::Root:
        break;
    }
    return QColor(215, 215, 215);
}

QColor FlameGraphWidget::searchColor()
{
    return QColor(225, 40, 225);
}

QString FlameGraphWidget::label(const StackTree::Span &span) const
{
    if (span.node < 0)
        return {};
    if (span.node == 0)
        return tr("All samples: %1").arg(QLocale().toString(m_tree.total()));
    return m_tree.frameOf(span.node).name;
}

QColor FlameGraphWidget::fillColor(const StackTree::Span &span) const
{
    if (span.node < 0)
        return QColor(190, 190, 190);
    const int frame = m_tree.node(span.node).frame;
    if (frame > 0 && (frame == m_highlightedFrame || (frame < m_matches.size() && m_matches.at(frame))))
        return searchColor();
    return frameColor(m_tree.frame(frame));
}

void FlameGraphWidget::paintGraph(QPainter &painter, int height, bool decorations) const
{
    ensureLayout();
    const QFontMetrics fm(font());
    const double minLabel = fm.averageCharWidth() * 2 + 2 * textPadding;
    const QRectF clip
        = painter.clipBoundingRect().isEmpty() ? QRectF(0, 0, width(), height) : painter.clipBoundingRect();
    painter.setPen(QColor(20, 20, 20));
    for (const StackTree::Span &span : std::as_const(m_spans)) {
        const QRectF r = spanRect(span, height);
        if (!r.intersects(clip))
            continue;
        painter.fillRect(r, fillColor(span));
        if (r.width() < minLabel)
            continue;
        const QString text = fm.elidedText(label(span), Qt::ElideRight, int(r.width()) - 2 * textPadding);
        if (!text.isEmpty())
            painter.drawText(r.adjusted(textPadding, 0, -textPadding, 0), Qt::AlignLeft | Qt::AlignVCenter, text);
    }
    if (!decorations)
        return;
    if (m_hover >= 0) {
        const QRectF r = nodeRect(m_hover);
        if (!r.isNull()) {
            painter.setPen(QColor(0, 0, 0, 170));
            painter.drawRect(r.adjusted(0, 0, -1, -1));
        }
    }
    if (m_current >= 0 && hasFocus()) {
        const QRectF r = nodeRect(m_current);
        if (!r.isNull()) {
            painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
            painter.drawRect(r.adjusted(1, 1, -1, -1));
        }
    }
}

void FlameGraphWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    if (m_tree.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No stacks to draw"));
        return;
    }
    paintGraph(painter, height(), true);
}

void FlameGraphWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_layoutWidth = -1;
}

bool FlameGraphWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int i = spanAt(help->pos());
        if (i < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const StackTree::Span &span = m_spans.at(i);
        QString text;
        if (span.node >= 0) {
            text = toolTipText(span.node);
        } else {
            const StackTree::Node &parent = m_tree.node(span.parent);
            qint64 drawn = 0;
            for (int c = 0; c < parent.childCount; ++c) {
                const int child = m_tree.child(span.parent, c);
                if (!nodeRect(child).isNull())
                    drawn += m_tree.node(child).total;
            }
            const qint64 rest = parent.total - parent.self - drawn;
            text = tr("Frames too narrow to draw\nSamples: %1 (%2 of all)")
                       .arg(QLocale().toString(rest), percentText(double(rest) / double(m_tree.total())));
        }
        UiHelpers::showPlainToolTip(help->globalPos(), text, this, spanRect(span, height()).toRect());
        return true;
    }
    return QWidget::event(event);
}

void FlameGraphWidget::mouseMoveEvent(QMouseEvent *event)
{
    const int node = nodeAt(event->position());
    if (node != m_hover) {
        m_hover = node;
        setCursor(node >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void FlameGraphWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    const int node = nodeAt(event->position());
    if (node >= 0) {
        // A frame fills the width; a caller shown above the zoomed frame zooms back out to it.
        zoomTo(node);
        setCurrentNode(node);
    }
    event->accept();
}

void FlameGraphWidget::leaveEvent(QEvent *event)
{
    if (m_hover >= 0) {
        m_hover = -1;
        update();
    }
    QWidget::leaveEvent(event);
}

void FlameGraphWidget::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Escape:
        if (m_zoom == 0) {
            event->ignore();
            return;
        }
        resetZoom();
        break;
    case Qt::Key_Backspace:
        zoomTo(m_zoom > 0 ? m_tree.node(m_zoom).parent : 0);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (m_current >= 0)
            zoomTo(m_current);
        break;
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Up:
    case Qt::Key_Down:
        moveCurrent(event->key());
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void FlameGraphWidget::moveCurrent(int key)
{
    if (m_tree.isEmpty())
        return;
    if (m_current < 0 || nodeRect(m_current).isNull()) {
        setCurrentNode(m_zoom);
        return;
    }
    const StackTree::Node &n = m_tree.node(m_current);
    // Towards the root is down in a flame graph and up in an icicle graph.
    const int towardsRoot = m_icicle ? Qt::Key_Up : Qt::Key_Down;
    if (key == towardsRoot) {
        if (n.parent >= 0)
            setCurrentNode(n.parent);
        return;
    }
    if (key == Qt::Key_Up || key == Qt::Key_Down) {
        if (n.childCount > 0 && !nodeRect(m_tree.child(m_current, 0)).isNull())
            setCurrentNode(m_tree.child(m_current, 0));
        return;
    }
    // The nearest drawn frame on the same row to the left or right.
    const QRectF at = nodeRect(m_current);
    int best = -1;
    double bestX = 0;
    for (const StackTree::Span &s : std::as_const(m_spans)) {
        if (s.node < 0 || s.depth != n.depth || s.node == m_current)
            continue;
        const bool left = s.x < at.x();
        if ((key == Qt::Key_Left) != left)
            continue;
        if (best < 0 || (left ? s.x > bestX : s.x < bestX)) {
            best = s.node;
            bestX = s.x;
        }
    }
    if (best >= 0)
        setCurrentNode(best);
}

QImage FlameGraphWidget::toImage() const
{
    QImage image(std::max(1, width()), std::max(1, height()), QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Base));
    QPainter painter(&image);
    painter.setFont(font());
    paintGraph(painter, image.height(), false);
    return image;
}

bool FlameGraphWidget::exportPng(const QString &path, QString *error) const
{
    QByteArray data;
    {
        QBuffer buffer(&data);
        buffer.open(QIODevice::WriteOnly);
        if (!toImage().save(&buffer, "PNG")) {
            if (error)
                *error = tr("Could not encode the image");
            return false;
        }
    }
    return writeFile(path, data, error);
}

QString FlameGraphWidget::toSvg() const
{
    ensureLayout();
    const int w = std::max(1, width());
    const int h = std::max(1, height());
    const QFontMetrics fm(font());
    const double minLabel = fm.averageCharWidth() * 2 + 2 * textPadding;
    const int row = rowHeight();
    const double baseline = (row - 1 + fm.ascent() - fm.descent()) / 2.0;
    QString svg;
    svg += uR"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%1" height="%2" viewBox="0 0 %1 %2" font-family="%3, sans-serif" font-size="%4px">
<rect x="0" y="0" width="%1" height="%2" fill="#ffffff"/>
)"_s.arg(w)
               .arg(h)
               .arg(ChartExport::xmlEscaped(QFontInfo(font()).family()))
               .arg(QFontInfo(font()).pixelSize());
    for (const StackTree::Span &span : std::as_const(m_spans)) {
        const QRectF r = spanRect(span, h);
        QString title;
        if (span.node >= 0)
            title = toolTipText(span.node);
        else
            title = tr("Frames too narrow to draw");
        svg += u"<g><title>"_s + ChartExport::xmlEscaped(title) + u"</title><rect x=\""_s + svgNumber(r.x())
            + u"\" y=\""_s + svgNumber(r.y()) + u"\" width=\""_s + svgNumber(r.width()) + u"\" height=\""_s
            + svgNumber(r.height()) + u"\" fill=\""_s + fillColor(span).name() + u"\"/>"_s;
        if (r.width() >= minLabel) {
            const QString text = fm.elidedText(label(span), Qt::ElideRight, int(r.width()) - 2 * textPadding);
            if (!text.isEmpty())
                svg += u"<text x=\""_s + svgNumber(r.x() + textPadding) + u"\" y=\""_s + svgNumber(r.y() + baseline)
                    + u"\">"_s + ChartExport::xmlEscaped(text) + u"</text>"_s;
        }
        svg += u"</g>\n"_s;
    }
    svg += u"</svg>\n"_s;
    return svg;
}

bool FlameGraphWidget::exportSvg(const QString &path, QString *error) const
{
    return writeFile(path, toSvg().toUtf8(), error);
}
