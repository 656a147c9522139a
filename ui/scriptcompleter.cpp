// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/scriptcompleter.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QTreeView>

using namespace Qt::StringLiterals;
using ScriptCompletion::Context;
using ScriptCompletion::Item;

namespace {
constexpr int ItemRole = Qt::UserRole + 1;
constexpr int visibleRows = 10;

QString sinceText(const BuiltinHelp &help)
{
    return ScriptCompleter::tr("Available since bpftrace %1").arg(help.since);
}

QString builtinHelp(const BuiltinHelp &help)
{
    QString text = help.signature + u'\n' + help.summary + u'\n' + sinceText(help);
    if (help.unsafe)
        text += u'\n' + ScriptCompleter::tr("Needs --unsafe: the run asks for approval as high risk");
    return text;
}
} // namespace

ScriptCompleter::ScriptCompleter(QPlainTextEdit *editor)
    : QObject(editor)
    , m_editor(editor)
    , m_popup(new QTreeView(editor))
    , m_model(new QStandardItemModel(this))
{
    // A child of the editor rather than a popup window: the keyboard stays with the editor, which
    // passes navigation keys on, and typing goes on into the text.
    m_popup->setObjectName(u"completionPopup"_s);
    m_popup->setModel(m_model);
    m_popup->setFocusPolicy(Qt::NoFocus);
    m_popup->setHeaderHidden(true);
    m_popup->setRootIsDecorated(false);
    m_popup->setUniformRowHeights(true);
    m_popup->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_popup->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_popup->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_popup->setFrameStyle(QFrame::Box | QFrame::Plain);
    m_popup->setAccessibleName(tr("Completions"));
    m_popup->hide();
    connect(m_popup, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        m_popup->setCurrentIndex(index);
        acceptCurrent();
    });
    updateBuiltins();
}

ScriptCompleter::~ScriptCompleter() = default;

void ScriptCompleter::setCatalog(ProbeCatalog *catalog)
{
    m_catalog = catalog;
    m_details.clear();
    m_describing.clear();
}

void ScriptCompleter::setCapabilities(Capabilities *capabilities)
{
    if (m_capabilities)
        disconnect(m_capabilities, nullptr, this, nullptr);
    m_capabilities = capabilities;
    if (capabilities)
        connect(capabilities, &Capabilities::ready, this, &ScriptCompleter::updateBuiltins);
    updateBuiltins();
}

void ScriptCompleter::updateBuiltins()
{
    // Only what the installed bpftrace has; everything while its version is unknown.
    const QString version = m_capabilities && m_capabilities->isReady() ? m_capabilities->info().version : QString();
    m_builtins = Capabilities::builtins(version);
}

QList<Item> ScriptCompleter::itemsAt(int position)
{
    const QString text = m_editor->toPlainText();
    const Context context = ScriptCompletion::contextAt(text, position);
    m_start = context.start;
    switch (context.kind) {
    case Context::Kind::None:
        break;
    case Context::Kind::Probe: {
        const std::shared_ptr<const ProbeSnapshot> snapshot = m_catalog ? m_catalog->snapshot() : nullptr;
        return ScriptCompletion::probeItems(snapshot.get(), m_builtins, context.prefix);
    }
    case Context::Kind::ArgsField: {
        const QString probe = ScriptCompletion::argumentProbe(context.attachPoints);
        if (probe.isEmpty())
            break;
        const ProbeDetails *known = details(probe);
        if (!known) {
            m_waitingFor = probe;
            break;
        }
        return ScriptCompletion::fieldItems(known->arguments, context.prefix);
    }
    case Context::Kind::Map:
        return ScriptCompletion::nameItems(
            ScriptCompletion::mapNames(text, context.start, position), Item::Kind::Map, context.prefix);
    case Context::Kind::Variable:
        return ScriptCompletion::nameItems(
            ScriptCompletion::variableNames(text, context.blockStart, context.blockEnd, context.start, position),
            Item::Kind::Variable, context.prefix);
    case Context::Kind::Identifier: {
        QList<Item> items = ScriptCompletion::builtinItems(m_builtins, context.prefix);
        if (context.prefix.isEmpty()) {
            // Ctrl+Space on nothing: the script's own names too.
            items += ScriptCompletion::nameItems(ScriptCompletion::mapNames(text), Item::Kind::Map, {});
            items += ScriptCompletion::nameItems(
                ScriptCompletion::variableNames(text, context.blockStart, context.blockEnd), Item::Kind::Variable, {});
        }
        return items;
    }
    }
    return {};
}

void ScriptCompleter::complete(bool automatic)
{
    const QList<Item> items = itemsAt(m_editor->textCursor().position());
    if (items.isEmpty()) {
        hidePopup();
        return;
    }
    if (!automatic && items.size() == 1) {
        insert(items.first());
        return;
    }
    showItems(items);
}

void ScriptCompleter::showItems(const QList<Item> &items)
{
    m_items = items;
    m_model->clear();
    m_model->setColumnCount(2);
    const QColor detailColor = m_popup->palette().color(QPalette::PlaceholderText);
    for (int i = 0; i < items.size(); ++i) {
        auto *label = new QStandardItem(items.at(i).label);
        label->setData(i, ItemRole);
        auto *detail = new QStandardItem(items.at(i).detail);
        detail->setData(i, ItemRole);
        detail->setForeground(detailColor);
        m_model->appendRow({ label, detail });
    }
    m_popup->setFont(m_editor->font());
    m_popup->resizeColumnToContents(0);
    m_popup->resizeColumnToContents(1);
    // Room between the name and its signature or type.
    m_popup->setColumnWidth(0, m_popup->columnWidth(0) + m_popup->fontMetrics().horizontalAdvance(u"    "_s));

    const QWidget *viewport = m_editor->viewport();
    QTextCursor start = m_editor->textCursor();
    start.setPosition(m_start);
    const QRect anchor = m_editor->cursorRect(start).translated(viewport->geometry().topLeft());
    const int frame = 2 * m_popup->frameWidth();
    const int rowHeight = qMax(1, m_popup->sizeHintForRow(0));
    const int rows = int(qMin<qsizetype>(visibleRows, items.size()));
    const int scrollBar = items.size() > visibleRows ? m_popup->verticalScrollBar()->sizeHint().width() : 0;
    const QRect area = viewport->geometry();
    const int width = qMin(m_popup->columnWidth(0) + m_popup->columnWidth(1) + frame + scrollBar + 8, area.width());
    const int height = rows * rowHeight + frame;
    int x = qMin(anchor.left(), area.right() - width);
    int y = anchor.bottom() + 2;
    // Above the line when there is no room below it.
    if (y + height > area.bottom() && anchor.top() - height - 2 >= area.top())
        y = anchor.top() - height - 2;
    m_popup->setGeometry(qMax(area.left(), x), y, width, height);
    m_popup->setCurrentIndex(m_model->index(0, 0));
    m_popup->show();
    m_popup->raise();
}

void ScriptCompleter::hidePopup()
{
    m_popup->hide();
    m_items.clear();
}

bool ScriptCompleter::isPopupVisible() const
{
    return m_popup->isVisible();
}

QStringList ScriptCompleter::popupLabels() const
{
    QStringList labels;
    if (!isPopupVisible())
        return labels;
    for (int row = 0; row < m_model->rowCount(); ++row)
        labels.append(m_model->item(row, 0)->text());
    return labels;
}

void ScriptCompleter::acceptCurrent()
{
    const int row = m_popup->currentIndex().isValid() ? m_popup->currentIndex().row() : 0;
    if (row >= 0 && row < m_items.size())
        insert(m_items.at(row));
    else
        hidePopup();
}

void ScriptCompleter::insert(const Item &item)
{
    QTextCursor cursor = m_editor->textCursor();
    const int position = cursor.position();
    cursor.beginEditBlock();
    cursor.setPosition(m_start);
    cursor.setPosition(position, QTextCursor::KeepAnchor);
    QString text = item.insert;
    int back = item.cursorBack;
    // "printf" before an existing "(": no second pair.
    if (back && m_editor->document()->characterAt(position) == u'(') {
        text.chop(2);
        back = 0;
    }
    cursor.insertText(text);
    cursor.endEditBlock();
    cursor.movePosition(QTextCursor::Left, QTextCursor::MoveAnchor, back);
    m_editor->setTextCursor(cursor);
    hidePopup();
    // A provider or a group of probes: go on with what lies below it.
    if (text.endsWith(u':'))
        complete(true);
}

bool ScriptCompleter::handleKey(QKeyEvent *event)
{
    if (!isPopupVisible())
        return false;
    const int rows = m_model->rowCount();
    const int current = m_popup->currentIndex().row();
    auto select = [this](int row) { m_popup->setCurrentIndex(m_model->index(row, 0)); };
    switch (event->key()) {
    case Qt::Key_Down:
        select(current + 1 < rows ? current + 1 : 0);
        return true;
    case Qt::Key_Up:
        select(current > 0 ? current - 1 : rows - 1);
        return true;
    case Qt::Key_PageDown:
        select(qMin(rows - 1, current + visibleRows));
        return true;
    case Qt::Key_PageUp:
        select(qMax(0, current - visibleRows));
        return true;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Tab:
        acceptCurrent();
        return true;
    case Qt::Key_Escape:
        hidePopup();
        return true;
    default:
        break;
    }
    return false;
}

void ScriptCompleter::afterKey(QKeyEvent *event)
{
    const QString typed = event->text();
    const int position = m_editor->textCursor().position();
    if (typed == u":" || typed == u"." || typed == u">") {
        const Context context = ScriptCompletion::contextAt(m_editor->toPlainText(), position);
        const bool wanted
            = typed == u":" ? context.kind == Context::Kind::Probe : context.kind == Context::Kind::ArgsField;
        if (wanted) {
            complete(true);
            return;
        }
    }
    if (!isPopupVisible())
        return;
    const bool erasing = event->key() == Qt::Key_Backspace || event->key() == Qt::Key_Delete;
    const bool wordChar = !typed.isEmpty()
        && std::all_of(typed.cbegin(), typed.cend(), [](QChar c) { return c.isLetterOrNumber() || c == u'_'; });
    if ((wordChar || erasing || typed == u"-" || typed == u":") && position >= m_start)
        complete(true);
    else if (!typed.isEmpty() || position < m_start)
        hidePopup();
}

const ProbeDetails *ScriptCompleter::details(const QString &probe)
{
    auto it = m_details.constFind(probe);
    if (it != m_details.cend())
        return &it.value();
    if (!m_catalog || m_describing.contains(probe))
        return nullptr;
    m_describing.insert(probe);
    m_catalog->describe(probe, this, [this, probe](const ProbeDetails &details) {
        m_describing.remove(probe);
        m_details.insert(probe, details);
        Q_EMIT detailsArrived(probe);
        if (m_waitingFor != probe)
            return;
        m_waitingFor.clear();
        // The completion asked for these fields: show them if the cursor still wants them.
        const Context context = ScriptCompletion::contextAt(m_editor->toPlainText(), m_editor->textCursor().position());
        if (m_editor->isVisible() && context.kind == Context::Kind::ArgsField
            && ScriptCompletion::argumentProbe(context.attachPoints) == probe)
            complete(true);
    });
    // The catalog may answer from its memory at once.
    it = m_details.constFind(probe);
    return it != m_details.cend() ? &it.value() : nullptr;
}

QString ScriptCompleter::helpAt(int position)
{
    const QString text = m_editor->toPlainText();
    const ScriptCompletion::Word word = ScriptCompletion::wordAt(text, position);
    switch (word.kind) {
    case Context::Kind::Probe: {
        const QString provider = word.text.section(u':', 0, 0);
        QStringList lines { word.text };
        if (const BuiltinHelp *help
            = ScriptCompletion::findBuiltin(m_builtins, ProbeCatalog::canonicalProvider(provider), true))
            lines.append(help->signature + u" — "_s + help->summary);
        if (ProbeCatalog::isGlob(word.text)) {
            if (const auto snapshot = m_catalog ? m_catalog->snapshot() : nullptr) {
                ProbeQuery query;
                query.pattern = word.text;
                query.limit = 0;
                lines.append(tr("Matches %n probes", "", ProbeCatalog::query(*snapshot, query).total));
            }
        } else if (const QString probe = ScriptCompletion::argumentProbe({ word.text }); !probe.isEmpty()) {
            if (const ProbeDetails *known = details(probe)) {
                if (!known->error.isEmpty()) {
                    lines.append(tr("No arguments: %1").arg(known->error));
                } else if (known->arguments.isEmpty()) {
                    lines.append(tr("No arguments"));
                } else {
                    lines.append(tr("Arguments (args.NAME):"));
                    for (const ProbeArgument &argument : known->arguments)
                        lines.append(u"    "_s + argument.type + u' ' + argument.name);
                }
            } else if (m_catalog) {
                lines.append(tr("Loading arguments…"));
            }
        }
        return lines.size() > 1 ? lines.join(u'\n') : QString();
    }
    case Context::Kind::Identifier:
    case Context::Kind::Variable:
        if (const BuiltinHelp *help = ScriptCompletion::findBuiltin(m_builtins, word.text, false))
            return builtinHelp(*help);
        break;
    case Context::Kind::ArgsField: {
        const QString probe = ScriptCompletion::argumentProbe(word.attachPoints);
        const ProbeDetails *known = probe.isEmpty() ? nullptr : details(probe);
        if (!known)
            break;
        for (const ProbeArgument &argument : known->arguments) {
            if (argument.name == word.text)
                return argument.type + u' ' + argument.name + u'\n' + tr("Argument of %1").arg(probe);
        }
        break;
    }
    case Context::Kind::Map:
    case Context::Kind::None:
        break;
    }
    return {};
}
