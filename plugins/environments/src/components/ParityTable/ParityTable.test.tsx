import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityEnvironmentsResponse } from '@kler/plugin-environments-common';
import {
  entityEnvironments,
  entityEnvironmentsWithTaskDefinitions,
} from '../../testing/fixtures';
import { ParityTable } from './ParityTable';

jest.setTimeout(30_000);

/** The cells of the body row headed `label`, as their text. */
function rowTexts(label: string): string[] {
  const header = screen.getByRole('rowheader', { name: label });
  const row = header.closest('tr')!;
  return within(row)
    .getAllByRole('cell')
    .map(cell => cell.textContent ?? '');
}

describe('ParityTable', () => {
  it('shows each attribute per environment, production first, with header cells', async () => {
    await renderInTestApp(
      <ParityTable response={entityEnvironmentsWithTaskDefinitions} />,
    );
    const table = screen.getByRole('table', { name: 'What runs where' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual(['Attribute', 'Production', 'Development', 'Parity']);
    expect(
      within(table).getByRole('rowheader', { name: 'Service shop-api' }),
    ).toBeInTheDocument();
    expect(rowTexts('Image (shop-api)')).toEqual([
      'kler/shop-api:2026.11.5',
      'kler/shop-api:2026.11.6-rc2',
      'DiffersProduction: kler/shop-api:2026.11.5; Development: kler/shop-api:2026.11.6-rc2',
    ]);
    expect(rowTexts('Task size')).toEqual([
      '512 CPU units · 1024 MiB',
      '512 CPU units · 1024 MiB',
      'Same',
    ]);
    expect(rowTexts('Secrets (shop-api)')).toEqual([
      'DB_PASSWORD',
      'None',
      'DiffersProduction has DB_PASSWORD, Development lacks it',
    ]);
    expect(rowTexts('Variables (shop-api)')[2]).toBe(
      'DiffersDevelopment has DB_PASSWORD, Production lacks itProduction has DB_URL, Development lacks it',
    );
    expect(
      screen.getByText(/^3 differences between Production and Development\./),
    ).toBeInTheDocument();
  });

  it('shows only the rows that differ when asked', async () => {
    await renderInTestApp(
      <ParityTable response={entityEnvironmentsWithTaskDefinitions} />,
    );
    const toggle = screen.getByRole('checkbox', { name: 'Only differences' });
    expect(screen.getAllByRole('rowheader')).toHaveLength(8);
    await userEvent.click(toggle);
    expect(toggle).toBeChecked();
    expect(
      screen
        .getAllByRole('rowheader')
        .map(header => header.textContent)
        .slice(1),
    ).toEqual([
      'Image (shop-api)',
      'Variables (shop-api)',
      'Secrets (shop-api)',
    ]);
    expect(screen.queryByRole('rowheader', { name: 'Scaling' })).toBeNull();
  });

  it('says when task definitions are not read yet and when nothing differs', async () => {
    // The services of this fixture carry no task definitions.
    await renderInTestApp(<ParityTable response={entityEnvironments} />);
    expect(
      screen.getByText(/Task definitions not read yet/),
    ).toBeInTheDocument();
    expect(rowTexts('Task definition')).toEqual([
      'Task definition not read yet',
      'Task definition not read yet',
      'Per environment',
    ]);
    expect(screen.queryByRole('rowheader', { name: /Image/ })).toBeNull();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Only differences' }),
    );
    expect(
      screen.getByText('No differences between the environments.'),
    ).toBeInTheDocument();
  });

  it('says where the service is not deployed', async () => {
    const response: EntityEnvironmentsResponse = {
      ...entityEnvironmentsWithTaskDefinitions,
      environments: [
        entityEnvironmentsWithTaskDefinitions.environments[0],
        {
          ...entityEnvironmentsWithTaskDefinitions.environments[1],
          services: [],
        },
      ],
    };
    await renderInTestApp(<ParityTable response={response} />);
    expect(rowTexts('Image (shop-api)')).toEqual([
      'Not deployed here',
      'kler/shop-api:2026.11.6-rc2',
      'Cannot tell',
    ]);
  });
});
