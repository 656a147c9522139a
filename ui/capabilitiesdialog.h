// SPDX-License-Identifier: GPL-2.0-or-later
// bpf_info: the bpftrace version and what the kernel supports (helpers, features, map and probe types).
#pragma once

#include "engine/capabilities.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QTreeWidget;

class CapabilitiesDialog : public QDialog
{
    Q_OBJECT
public:
    /// Shows `capabilities` (refreshing it when it is not ready yet).
    explicit CapabilitiesDialog(Capabilities *capabilities, QWidget *parent = nullptr);

    void setInfo(const BpfInfo &info);
    QTreeWidget *tree() const { return m_tree; }
    QString summaryText() const;

private:
    QPointer<Capabilities> m_capabilities;
    QLabel *m_summary;
    QTreeWidget *m_tree;
};
