// SPDX-License-Identifier: GPL-2.0-or-later
// The person adds an SSH host or a Kubernetes node: URI, optional name, privilege or image.
#pragma once

#include "engine/targets/target.h"

#include <QDialog>
#include <QPointer>

#include <functional>
#include <optional>

class TargetRegistry;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

/// Add closes the dialog only once the target is in the registry and saved; every refusal
/// (a URI that does not parse, a name in use, settings that cannot be written) is shown in the
/// dialog, and then nothing is added or saved.
class AddTargetDialog : public QDialog
{
    Q_OBJECT
public:
    /// Writes the added target where it is kept; false with *error when it could not. The
    /// dialog then takes the target out of the registry again.
    using Saver = std::function<bool(const Target &target, QString *error)>;

    explicit AddTargetDialog(TargetRegistry *targets, QWidget *parent = nullptr);

    void setSaver(Saver saver) { m_saver = std::move(saver); }

    /// The target the fields describe; nullopt with *error when they do not make one.
    std::optional<Target> target(QString *error = nullptr) const;
    /// The target Add put into the registry (valid once accepted).
    const Target &added() const { return m_added; }

    QLineEdit *uriEdit() const { return m_uri; }
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *privilegeCombo() const { return m_privilege; }
    QLineEdit *imageEdit() const { return m_image; }
    QLineEdit *bpftraceEdit() const { return m_bpftrace; }
    QPushButton *addButton() const { return m_add; }
    /// Why the last Add was refused; empty when nothing was.
    QString errorText() const;

    void accept() override;

private:
    void updateFields();
    void showError(const QString &message);

    QPointer<TargetRegistry> m_targets;
    Saver m_saver;
    Target m_added;
    QLineEdit *m_uri;
    QLineEdit *m_name;
    QComboBox *m_privilege;
    QLabel *m_privilegeLabel;
    QLineEdit *m_image;
    QLabel *m_imageLabel;
    QLineEdit *m_bpftrace;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    QPushButton *m_add;
};
