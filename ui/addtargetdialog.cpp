// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/addtargetdialog.h"

#include "ui/statuscolors.h"

#include "engine/targets/targetregistry.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

AddTargetDialog::AddTargetDialog(TargetRegistry *targets, QWidget *parent)
    : QDialog(parent)
    , m_targets(targets)
    , m_uri(new QLineEdit(this))
    , m_name(new QLineEdit(this))
    , m_privilege(new QComboBox(this))
    , m_privilegeLabel(new QLabel(tr("&Privilege:"), this))
    , m_image(new QLineEdit(this))
    , m_imageLabel(new QLabel(tr("&Image:"), this))
    , m_bpftrace(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
    , m_add(m_buttons->addButton(tr("&Add"), QDialogButtonBox::AcceptRole))
{
    setWindowTitle(tr("Add Target"));
    m_add->setIcon(QIcon::fromTheme(u"list-add"_s));

    m_uri->setPlaceholderText(tr("ssh://root@db1.example.com or k8s://context/node"));
    m_uri->setAccessibleName(tr("Target URI"));
    m_name->setAccessibleName(tr("Target name"));
    m_name->setPlaceholderText(tr("the URI without ssh:// or k8s://"));
    m_privilege->addItem(tr("Automatic: root login, else sudo -n"), remotePrivilegeName(RemotePrivilege::Auto));
    m_privilege->addItem(tr("Log in as root"), remotePrivilegeName(RemotePrivilege::Login));
    m_privilege->addItem(tr("Always sudo -n (a NOPASSWD rule)"), remotePrivilegeName(RemotePrivilege::Sudo));
    m_privilege->setToolTip(tr("How bpftrace becomes root on the host. TraceDesk never types a password."));
    m_image->setPlaceholderText(Target::defaultImage());
    m_image->setToolTip(tr("The debug pod's image: it needs sh and bpftrace."));
    m_bpftrace->setPlaceholderText(u"bpftrace"_s);
    m_bpftrace->setToolTip(tr("bpftrace's path on the target; empty: bpftrace on its PATH."));
    m_privilegeLabel->setBuddy(m_privilege);
    m_imageLabel->setBuddy(m_image);

    auto *intro = new QLabel(tr("TraceDesk runs bpftrace there through ssh (BatchMode: keys or an agent, hosts "
                                "already in known_hosts) or kubectl debug. The target is saved with your settings."),
        this);
    intro->setWordWrap(true);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setObjectName(u"addTargetError"_s);
    StatusColors::setTextRole(m_error, StatusColors::Role::Negative);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&URI:"), m_uri);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(m_privilegeLabel, m_privilege);
    form->addRow(m_imageLabel, m_image);
    form->addRow(tr("&bpftrace:"), m_bpftrace);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &AddTargetDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *edit : { m_uri, m_name, m_image, m_bpftrace })
        connect(edit, &QLineEdit::textEdited, this, &AddTargetDialog::updateFields);
    updateFields();
    resize(std::max(sizeHint().width(), 520), sizeHint().height());
}

void AddTargetDialog::updateFields()
{
    // What is asked depends on the kind: privilege for SSH, the pod's image for Kubernetes.
    const QString uri = m_uri->text().trimmed();
    const bool ssh = uri.startsWith("ssh://"_L1);
    const bool k8s = uri.startsWith("k8s://"_L1);
    m_privilege->setEnabled(ssh || uri.isEmpty());
    m_privilegeLabel->setEnabled(m_privilege->isEnabled());
    m_image->setEnabled(k8s || uri.isEmpty());
    m_imageLabel->setEnabled(m_image->isEnabled());
    m_add->setEnabled(!uri.isEmpty());
    if (const std::optional<Target> parsed = Target::parse(uri))
        m_name->setPlaceholderText(parsed->name);
    else
        m_name->setPlaceholderText(tr("the URI without ssh:// or k8s://"));
    // Edited since the refusal: the message may no longer apply.
    m_error->hide();
    m_error->clear();
}

std::optional<Target> AddTargetDialog::target(QString *error) const
{
    auto refuse = [error](const QString &message) -> std::optional<Target> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QString why;
    std::optional<Target> target = Target::parse(m_uri->text().trimmed(), &why);
    if (!target)
        return refuse(why);
    if (target->isLocal())
        return refuse(tr("This machine is always there; add an ssh:// or k8s:// target."));
    const QString name = m_name->text().trimmed();
    if (!name.isEmpty()) {
        if (!Target::isValidName(name))
            return refuse(tr("The name “%1” is not allowed: letters, digits and . _ @ : / - only, not starting "
                             "with '-'.")
                    .arg(name.left(80)));
        target->name = name;
    }
    if (target->kind == TargetKind::Ssh) {
        if (const auto privilege = remotePrivilegeFromName(m_privilege->currentData().toString()))
            target->privilege = *privilege;
    }
    if (target->kind == TargetKind::Kubernetes)
        target->image = m_image->text().trimmed();
    if (const QString bpftrace = m_bpftrace->text().trimmed(); !bpftrace.isEmpty())
        target->bpftracePath = bpftrace;
    if (!target->validate(&why))
        return refuse(why);
    return target;
}

QString AddTargetDialog::errorText() const
{
    return m_error->text();
}

void AddTargetDialog::showError(const QString &message)
{
    QString text = message;
    if (!text.isEmpty())
        text[0] = text[0].toUpper(); // the engine's messages are written to follow a colon
    m_error->setText(text);
    m_error->show();
}

void AddTargetDialog::accept()
{
    QString error;
    const std::optional<Target> wanted = target(&error);
    if (!wanted) {
        showError(error);
        return;
    }
    if (!m_targets) {
        showError(tr("There is no engine to add the target to."));
        return;
    }
    // Refused before anything changes: the same target again (adding it would be a silent no-op),
    // or a name or URI that another target has.
    if (const Target *existing = m_targets->find(wanted->name)) {
        showError(tr("A target named “%1” is configured already: %2.").arg(wanted->name, existing->displayName()));
        return;
    }
    if (const Target *existing = m_targets->find(wanted->uri())) {
        showError(tr("%1 is configured already, as “%2”.").arg(wanted->uri(), existing->name));
        return;
    }
    if (!m_targets->addTarget(*wanted, &error)) {
        showError(error);
        return;
    }
    if (m_saver && !m_saver(*wanted, &error)) {
        // Not kept for the next start means not added: the person decides again, knowing why.
        m_targets->removeTarget(wanted->name);
        showError(tr("Not added, the settings could not be saved: %1").arg(error));
        return;
    }
    m_added = *wanted;
    QDialog::accept();
}
