// SPDX-License-Identifier: GPL-2.0-or-later
// Completion and hover help for the script editor: probes from the catalog, builtins of the
// installed bpftrace, the `args` of the probe being written, and the script's maps and variables.
#pragma once

#include "engine/capabilities.h"
#include "engine/probecatalog.h"
#include "ui/scriptcompletion.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

class QKeyEvent;
class QPlainTextEdit;
class QStandardItemModel;
class QTreeView;

class ScriptCompleter : public QObject
{
    Q_OBJECT
public:
    explicit ScriptCompleter(QPlainTextEdit *editor);
    ~ScriptCompleter() override;

    void setCatalog(ProbeCatalog *catalog);
    void setCapabilities(Capabilities *capabilities);
    /// The builtin table for the installed bpftrace's version (all of it while unknown).
    const QList<BuiltinHelp> &builtins() const { return m_builtins; }

    /// What completion proposes at a position of the editor's text (requests a probe's
    /// arguments from the catalog when they are not known yet).
    QList<ScriptCompletion::Item> itemsAt(int position);
    /// Opens (or refreshes) the popup at the cursor. `automatic` ones stay closed when there is
    /// nothing to propose; an explicit one (Ctrl+Space) with a single item inserts it.
    void complete(bool automatic);
    void hidePopup();
    bool isPopupVisible() const;
    QTreeView *popup() const { return m_popup; }
    /// The popup's labels in order (tests, accessibility).
    QStringList popupLabels() const;
    /// Inserts the popup's current item.
    void acceptCurrent();

    /// Keys while the popup is open (navigation, Enter/Tab to insert, Escape); true when consumed.
    bool handleKey(QKeyEvent *event);
    /// After the editor inserted a key's text: opens after ':' and '.', follows or closes.
    void afterKey(QKeyEvent *event);

    /// Hover help for the word at a text position: a builtin's signature, meaning and version, a
    /// probe's arguments, an args field's type. Plain text; empty when there is nothing to say.
    QString helpAt(int position);
    /// The arguments of a probe when known; starts `bpftrace -lv` through the catalog otherwise.
    const ProbeDetails *details(const QString &probe);

Q_SIGNALS:
    /// A probe's arguments arrived (hover help may want to show them now).
    void detailsArrived(const QString &probe);

private:
    void updateBuiltins();
    void showItems(const QList<ScriptCompletion::Item> &items);
    void insert(const ScriptCompletion::Item &item);

    QPlainTextEdit *m_editor;
    QTreeView *m_popup;
    QStandardItemModel *m_model;
    QPointer<ProbeCatalog> m_catalog;
    QPointer<Capabilities> m_capabilities;
    QList<BuiltinHelp> m_builtins;
    QList<ScriptCompletion::Item> m_items;
    int m_start = 0; ///< where the shown items' prefix begins
    QHash<QString, ProbeDetails> m_details;
    QSet<QString> m_describing;
    QString m_waitingFor; ///< the probe whose arguments an open completion waits for
};
